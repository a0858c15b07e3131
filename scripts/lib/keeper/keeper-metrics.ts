/**
 * The keeper bot's `/metrics` (Prometheus text format, prom-client) and `/healthz` endpoints.
 * `/healthz` answers 200 while the last successful scan is younger than `maxScanAgeSeconds`, else 503.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";

export class KeeperMetrics {
  readonly registry = new Registry();
  readonly scans = new Counter({ name: "keeper_scans_total", help: "Registry scans started", registers: [this.registry] });
  readonly scanFailures = new Counter({ name: "keeper_scan_failures_total", help: "Scans that failed as a whole (registry unreadable, RPC down)", registers: [this.registry] });
  readonly vaultsScanned = new Gauge({ name: "keeper_vaults_scanned", help: "Vaults read in the last successful scan", registers: [this.registry] });
  readonly actions = new Counter({
    name: "keeper_actions_total",
    help: "Keeper calls by function, action and outcome (mined, pending, failed, not_sent, waiting, dry_run)",
    labelNames: ["call", "action", "outcome"] as const,
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: "keeper_failures_total",
    help: "Vault reads and calls that failed, by error name",
    labelNames: ["error"] as const,
    registers: [this.registry],
  });
  readonly replacements = new Counter({ name: "keeper_replacements_total", help: "Stuck transactions replaced with bumped fees", registers: [this.registry] });
  readonly gasUsed = new Counter({ name: "keeper_gas_used_total", help: "Gas used by mined keeper transactions", registers: [this.registry] });
  readonly feesPaid = new Counter({ name: "keeper_fees_paid_wei_total", help: "Fees paid by mined keeper transactions (wei)", registers: [this.registry] });
  readonly gasSpent = new Counter({
    name: "keeper_gas_spent_wei_total",
    help: "What this keeper's mined actions cost it, by vault (gas used x effective gas price, wei)",
    labelNames: ["vault"] as const,
    registers: [this.registry],
  });
  readonly gasPaid = new Counter({
    name: "keeper_gas_paid_assets_total",
    help: "What vaults paid this keeper for its gas (KeeperPaid), by vault, in the vault asset's smallest units",
    labelNames: ["vault"] as const,
    registers: [this.registry],
  });
  readonly balance = new Gauge({ name: "keeper_balance_eth", help: "The keeper account's ETH balance, read before each scan", registers: [this.registry] });
  readonly inFlight = new Gauge({ name: "keeper_in_flight_transactions", help: "Transactions sent and not yet mined", registers: [this.registry] });
  private lastSuccess = 0;
  readonly lastScanAge = new Gauge({
    name: "keeper_last_successful_scan_age_seconds",
    help: "Seconds since the last scan that completed (-1 before the first)",
    registers: [this.registry],
    collect: () => {
      this.lastScanAge.set(this.lastSuccess === 0 ? -1 : (Date.now() - this.lastSuccess) / 1000);
    },
  });

  scanSucceeded(vaults: number): void {
    this.lastSuccess = Date.now();
    this.vaultsScanned.set(vaults);
  }

  /** Seconds since the last successful scan, or undefined before the first. */
  lastScanAgeSeconds(): number | undefined {
    return this.lastSuccess === 0 ? undefined : (Date.now() - this.lastSuccess) / 1000;
  }

  /** The error name of a one-line description such as `OracleStale(feed=..., ...)`. */
  static errorName(description: string): string {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\(/.exec(description);
    if (match) return match[1];
    if (description.startsWith("reverted:")) return "Error";
    return "other";
  }
}

/** Serves `/metrics` and `/healthz` on `port` (0: any free port); resolves with the server once listening. */
export async function serveMetrics(
  metrics: KeeperMetrics,
  port: number,
  host = "127.0.0.1",
  maxScanAgeSeconds = 300,
): Promise<http.Server & { port: number }> {
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "Content-Type": metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
    } else if (req.url === "/healthz") {
      const age = metrics.lastScanAgeSeconds();
      const healthy = age !== undefined && age <= maxScanAgeSeconds;
      res.writeHead(healthy ? 200 : 503, { "Content-Type": "text/plain" });
      res.end(healthy ? `ok: last scan ${age.toFixed(1)} s ago\n` : `unhealthy: ${age === undefined ? "no scan completed yet" : `last scan ${age.toFixed(0)} s ago`}\n`);
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("not found: /metrics or /healthz\n");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
