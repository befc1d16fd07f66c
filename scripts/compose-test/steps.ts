/** One check of the run: what it checked, how long it took, and what it found. */
interface StepResult {
  name: string;
  ms: number;
  ok: boolean;
  detail: string;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The run's checks in order, each timed and printed as it ends: `ok` with what it found, or `FAIL` with why. The
 * first failure ends the run (what follows would stand on it).
 */
export class Steps {
  private readonly results: StepResult[] = [];
  private readonly started = performance.now();

  constructor(private readonly write: (line: string) => void) {}

  /** Runs `check`; what it returns is the line's detail. */
  async step(name: string, check: () => Promise<string>): Promise<void> {
    const started = performance.now();
    try {
      const detail = await check();
      this.record({ name, ms: performance.now() - started, ok: true, detail });
    } catch (error) {
      this.record({ name, ms: performance.now() - started, ok: false, detail: (error as Error).message });
      throw error;
    }
  }

  /** Whether a check has failed (and said why). */
  get failed(): boolean {
    return this.results.some((result) => !result.ok);
  }

  summary(): string {
    const failed = this.results.filter((result) => !result.ok).length;
    const verdict = failed === 0 ? `passed: ${this.results.length} checks` : `FAILED: ${failed} of ${this.results.length} checks`;
    return `${verdict} in ${seconds(performance.now() - this.started)}`;
  }

  private record(result: StepResult): void {
    this.results.push(result);
    const [first, ...rest] = result.detail.split('\n');
    this.write(`  ${result.ok ? 'ok  ' : 'FAIL'} ${seconds(result.ms).padStart(7)}  ${result.name}${first ? `: ${first}` : ''}`);
    for (const line of rest) this.write(`                 ${line}`);
  }
}
