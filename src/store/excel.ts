// ExcelJS is large (about half a second to load on a Pi): it is loaded only when a spreadsheet is
// read or written, so the daemon starts without it.
export const loadExcel = async () => (await import('exceljs')).default;
