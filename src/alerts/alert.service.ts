import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TokenEvents } from '../tokens/token-events';
import { ALERT_CHANNELS } from './alert-channels';
import { AlertDispatcher } from './alert-dispatcher';
import { expiringAlertId, invalidAlert, storedAlert } from './alert-messages';
import { AlertScanner, DueAlerts } from './alert-scanner';
import { AlertSettings } from './alert-settings';
import { AlertChannel } from './channels/alert-channel';
import { PreopenCheck } from './preopen-check';

const SCAN_INTERVAL_NAME = 'alert-scan';
/** token.expiring events told between two turns of the event loop: each one sets listeners to work. */
const EVENTS_PER_TURN = 25;

/**
 * Ties the alerts together: a scan on every tick of ALERT_SCAN_INTERVAL for the alerts that fall due with time,
 * and at once for those that events raise (a token refused, a token stored). Every replica scans; the claims in
 * the dispatcher make each alert go out once.
 */
@Injectable()
export class AlertService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AlertService.name);
  private scanning: Promise<DueAlerts> | null = null;
  private stopping = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    @Inject(ALERT_CHANNELS) private readonly channels: AlertChannel[],
    private readonly scanner: AlertScanner,
    private readonly dispatcher: AlertDispatcher,
    private readonly settings: AlertSettings,
    private readonly events: TokenEvents,
    private readonly scheduler: SchedulerRegistry,
    private readonly preopen: PreopenCheck,
  ) {}

  get enabled(): boolean {
    return this.channels.length > 0;
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) {
      this.logger.log('alerts are off: set ALERT_WEBHOOK_URL, SLACK_WEBHOOK_URL or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID to turn them on');
      // Without a channel the pre-open check still removes the tokens brokers refuse and shows its findings on the
      // status page: a dead token found at 08:45 is worth as much to a desk that reads the page as to one that is paged.
      if (this.settings.preopenCheckAt !== null) this.every(() => void this.track(this.preopen.tick()));
      return;
    }
    this.logger.log(`alerts on: ${this.channels.map((channel) => channel.name).join(', ')}`);
    this.events.onInvalidated((event) => {
      // The pre-open check tells of every token it finds refused in one message of its own.
      if (event.trigger !== 'preopen') return this.track(this.dispatcher.dispatch([invalidAlert(event, this.settings)]));
    });
    if (this.settings.onStored) {
      this.events.onStored((token) =>
        this.track(this.dispatcher.dispatch([storedAlert(token.clientId, token.issuedAt, token.expiresAt, this.settings)])),
      );
    }
    this.every(() => void this.scan().catch(() => undefined));
  }

  /** Now and at every scan interval, until shutdown. */
  private every(tick: () => void): void {
    this.scheduler.addInterval(SCAN_INTERVAL_NAME, setInterval(tick, this.settings.scanIntervalMs));
    tick();
  }

  /**
   * One scan: find what is due and send it. A tick that comes while a scan is still sending joins that scan
   * rather than starting a second one in the same process.
   */
  scan(): Promise<DueAlerts> {
    if (!this.enabled || this.stopping) return Promise.resolve({ windows: [], alerts: [] });
    if (!this.scanning) {
      this.scanning = this.runScan().finally(() => (this.scanning = null));
    }
    return this.scanning;
  }

  /** Resolves when every alert raised by an event so far has been sent or given up. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Before the HTTP server closes and Redis with it: no scan starts, deliveries under way are cut short and their
   * claims released, so that another replica sends them at its next scan instead of waiting for a lease to lapse.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', SCAN_INTERVAL_NAME)) this.scheduler.deleteInterval(SCAN_INTERVAL_NAME);
    this.dispatcher.stop();
    await this.scanning?.catch(() => undefined);
    await this.settled();
  }

  private async runScan(): Promise<DueAlerts> {
    try {
      const names = this.channels.map((channel) => channel.name);
      // Beside the scan rather than in it: verifying every token takes longer than a scan should.
      void this.track(this.preopen.tick());
      const due = await this.scanner.due(names);
      await this.announceExpiring(due);
      if (due.alerts.length > 0) await this.dispatcher.dispatch(due.alerts);
      if (due.windows.length > 0) await this.dispatcher.dispatchWindows(due.windows);
      await this.scanner.forgetSettledExpiries(due.windows, names);
      return due;
    } catch (error) {
      this.logger.warn(`alert scan skipped: ${(error as { code?: string }).code ?? 'error'}; the next tick tries again`);
      throw error;
    }
  }

  /** The token feed's token.expiring follows this ladder; it announces each account's alert id once, whoever says it. */
  private async announceExpiring(due: DueAlerts): Promise<void> {
    let told = 0;
    for (const window of due.windows) {
      if (window.type !== 'expiring') continue;
      for (const clientId of window.accounts) {
        if (++told % EVENTS_PER_TURN === 0) await nextTurn();
        this.events.expiring({ clientId, expiresAt: window.expiresAt, alertId: expiringAlertId(clientId, window.expiresAt, window.leadMs!) });
      }
    }
  }

  private track(work: Promise<unknown>): Promise<void> {
    this.pending.add(work);
    return work.then(
      () => void this.pending.delete(work),
      () => void this.pending.delete(work),
    );
  }
}
