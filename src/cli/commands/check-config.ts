import { resolve } from 'node:path';
import type { Command } from 'commander';
import { packageDir } from '../../kernel/package-dir.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import { ClipLibrary } from '../../devices/voice/clips.js';
import type { SpeechLang } from '../../gate/speech-clips.js';

export function register(program: Command): void {
  program
    .command('check-config')
    .description('Validate a configuration file (and, with a loudspeaker configured, its voice clips); prints one line per problem and exits 2 when it is invalid')
    .argument('<file>', 'YAML configuration file')
    .action((file: string) => {
      try {
        const config = loadConfig(file, process.env);
        console.log(`${file}: ok (site ${config.site.id}, gate ${config.gate.id}, ${config.lanes.length} lane(s))`);
        // Valid, but `gate run` will not start a real gate without a lane (simulation adds its own).
        if (config.lanes.length === 0 && !config.simulation) console.error(`${file}: warning: no lanes configured; \`gate run\` starts only in simulation until lanes and their devices are added (config/examples/)`);
        if (config.lanes.some((l) => l.voice)) {
          // A lane speaks: every clip of the site's languages must be there and readable.
          const clipsDir = config.voice.clipsDir || resolve(packageDir(), 'dist', 'clips');
          const lib = ClipLibrary.load({ clipsDir, recordingsDir: config.voice.recordingsDir, languages: config.voice.languages as SpeechLang[] });
          for (const p of lib.problems) console.error(`${file}: voice clip ${p.lang}/${p.clip}${p.file ? ` (${p.file})` : ''}: ${p.problem}`);
          if (lib.problems.length) process.exitCode = 2;
          else console.log(`${file}: voice: ${lib.size} clips in ${config.voice.languages.join(' + ')} (${clipsDir}${config.voice.recordingsDir ? `, recordings ${config.voice.recordingsDir}` : ''})`);
        }
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        for (const p of err.problems) console.error(`${file}: ${p}`);
        process.exitCode = 2;
      }
    });
}
