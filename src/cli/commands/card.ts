import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { keysFromConfig } from '../../cards/gate-setup.js';
import { qrSvg } from '../../cards/qr-svg.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { type CardClaims, issueToken, verifyToken } from '../../gate/credentials/token.js';
import type { CardType } from '../../gate/model.js';

const TYPES: CardType[] = ['household', 'person', 'vehicle', 'staff', 'visitor'];

function config(file: string | undefined): Config | undefined {
  try {
    return loadConfig(file, process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) console.error(`${file ?? 'configuration'}: ${p}`);
    process.exitCode = 2;
    return undefined;
  }
}

function days(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3660) throw new InvalidArgumentError('expected a number of days between 1 and 3660');
  return n;
}

export function register(program: Command): void {
  const card = program.command('card').description('Issue and verify GP1 pass cards (一户一卡 / 一人一卡 / 一车一证)');
  card
    .command('issue')
    .description("Sign a pass card with this gate's key (created on first use, mode 0600) and print the token")
    .requiredOption('--type <type>', `card type: ${TYPES.join(' | ')}`)
    .requiredOption('--id <id>', 'card id (as on the roster), e.g. hh-001')
    .option('--household <id>', 'household id (household, person and vehicle cards)')
    .option('--exp <days>', 'valid for this many days (default: no expiry)', days)
    .option('--svg <file>', 'also write the QR code as SVG to this file')
    .option('--config <file>', 'configuration file (site id, cards.keyDir)')
    .action((o: { type: string; id: string; household?: string; exp?: number; svg?: string; config?: string }) => {
      if (!TYPES.includes(o.type as CardType)) {
        console.error(`--type must be one of ${TYPES.join(', ')} (got "${o.type}")`);
        process.exitCode = 2;
        return;
      }
      if (['household', 'person', 'vehicle'].includes(o.type) && !o.household) {
        console.error(`a ${o.type} card needs --household <id>`);
        process.exitCode = 2;
        return;
      }
      const c = config(o.config);
      if (!c) return;
      const keys = keysFromConfig(c);
      for (const w of keys.own.warnings) console.error(`warning: ${w}`);
      if (keys.own.created) console.error(`created a new signing key ${keys.own.kid} in ${resolve(c.cards.keyDir)}`);
      const iat = Math.floor(Date.now() / 1000);
      const claims: CardClaims = { t: o.type as CardType, id: o.id, site: c.site.id, kid: keys.own.kid, iat, ...(o.household ? { hh: o.household } : {}), ...(o.exp ? { exp: iat + Math.round(o.exp * 86400) } : {}) };
      let token: string;
      try {
        token = issueToken(claims, keys.own.privateKey);
      } catch (err) {
        console.error((err as Error).message);
        process.exitCode = 2;
        return;
      }
      console.log(token);
      if (o.svg) {
        writeFileSync(o.svg, qrSvg(token, o.id));
        console.error(`QR code written to ${o.svg}`);
      }
    });
  card
    .command('verify')
    .description('Check a token as the gate would: prints the claims, or the exact refusal reason and exits 1')
    .argument('<token>', 'the GP1 token text')
    .option('--revoked <ids>', 'comma-separated revoked card ids', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--config <file>', 'configuration file (site id, cards.keyDir, cards.trustedKeys)')
    .action((token: string, o: { revoked?: string[]; config?: string }) => {
      const c = config(o.config);
      if (!c) return;
      const keys = keysFromConfig(c);
      const r = verifyToken(token, { keys: keys.trusted, site: c.site.id, now: Date.now(), revoked: o.revoked ?? [] });
      if (r.ok) {
        console.log(JSON.stringify(r.claims));
        return;
      }
      console.error(`refused: ${r.reason} — ${r.text.zh} / ${r.text.en}`);
      process.exitCode = 1;
    });
  card
    .command('key')
    .description("Print this gate's key id and public key (for the hub's and other gates' cards.trustedKeys)")
    .option('--config <file>', 'configuration file (cards.keyDir)')
    .action((o: { config?: string }) => {
      const c = config(o.config);
      if (!c) return;
      const keys = keysFromConfig(c);
      console.log(JSON.stringify({ kid: keys.own.kid, publicKey: keys.own.publicKeyRaw }));
    });
}
