// The tests' PostgreSQL is the bench's (bench/postgres.ts): bench code may not import test/.
export { freshDatabase, startPostgres, type TestPostgres } from '../../bench/postgres.js';
