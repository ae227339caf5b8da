// A vitest reporter: at the end of a run, the ten slowest test files (time in their tests and
// hooks, plus importing them) and the run's wall time, so a suite that grows is seen where it grows.
import type { Reporter, TestModule } from 'vitest/node';

export default class SlowestFiles implements Reporter {
  private started = performance.now();

  onTestRunStart(): void {
    this.started = performance.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows = modules
      .map((m) => {
        const d = m.diagnostic();
        return { file: `${m.project.name ? `[${m.project.name}] ` : ''}${m.relativeModuleId}`, ms: d.duration + d.collectDuration + d.setupDuration };
      })
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10);
    if (rows.length === 0) return;
    const wall = (performance.now() - this.started) / 1000;
    const lines = rows.map((r, i) => `${String(i + 1).padStart(3)}. ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.file}`);
    process.stdout.write(`\nSlowest ten test files (wall time of the run ${wall.toFixed(0)} s, ${modules.length} files):\n${lines.join('\n')}\n`);
  }
}
