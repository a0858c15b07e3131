/**
 * The keeper's log lines (pino JSON: level, event and fields on every line), its `--once` exit codes and `/healthz`
 * with a configurable limit: unhealthy once no scan has succeeded for longer than the limit (RPC down).
 */
import { expect } from "chai";
import { keeperLogger } from "../../scripts/lib/keeper/keeper-log";
import { KEEPER_EXIT, passExitCode, runKeeper, type KeeperPassResult } from "../../scripts/lib/keeper/keeper";
import { KeeperMetrics, serveMetrics } from "../../scripts/lib/keeper/keeper-metrics";
import type { Ethers } from "../../scripts/lib/market/market";
import type { Signer } from "ethers";

describe("keeper log, exit codes and health", () => {
  it("writes one JSON object per line with level, event and the event's fields (bigints as strings)", () => {
    const lines: string[] = [];
    const log = keeperLogger("json", (line) => lines.push(line));
    log("vault 0x12 rebalance() ReleverBand: gas 600,000", { event: "action", vault: "0x12", action: "ReleverBand", tx: "0xab", gas: 600_000n });
    log("pass failed: RPC down", { event: "pass-failed", level: "error", error: "RPC down" });
    log("no event given");
    const [action, failed, bare] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(action).to.include({ level: "info", event: "action", vault: "0x12", action: "ReleverBand", tx: "0xab", gas: "600000" });
    expect(action.time).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(failed).to.include({ level: "error", event: "pass-failed", error: "RPC down", msg: "pass failed: RPC down" });
    expect(bare).to.include({ level: "info", event: "log" });
  });

  it("--once exit codes: 0 done, 2 blocked, 3 unreadable (which outranks blocked)", () => {
    const pass = (p: Partial<KeeperPassResult>): KeeperPassResult => ({ scanned: 1, via: "lens", scanCalls: 1, due: 0, actions: [], failures: [], blocked: [], refinances: [], ...p });
    expect(passExitCode(pass({}))).to.equal(KEEPER_EXIT.ok);
    expect(passExitCode(pass({ blocked: [{ vault: "0x1", action: "DeleverBand", reason: "not allow-listed" }] }))).to.equal(2);
    expect(passExitCode(pass({ failures: [{ vault: "0x1", error: "OracleStale(...)" }], blocked: [{ vault: "0x2", action: "DeleverBand", reason: "x" }] }))).to.equal(3);
  });

  it("/healthz turns 503 when no scan succeeded within the configured limit (RPC down), 200 again after one", async () => {
    const metrics = new KeeperMetrics();
    let rpcUp = true;
    // A registry read that fails while the RPC is "down": runKeeper logs the failed pass and keeps going.
    const ethers = {
      getContractAt: async () => ({
        connect: () => ({
          vaultCount: async () => {
            if (!rpcUp) throw new Error("connect ECONNREFUSED 127.0.0.1:8545");
            return 0n;
          },
        }),
      }),
      provider: {},
    } as unknown as Ethers;
    const logged: Record<string, unknown>[] = [];
    let stop = false;
    const server = await serveMetrics(metrics, 0, "127.0.0.1", 1);
    const health = async () => (await fetch(`http://127.0.0.1:${server.port}/healthz`)).status;
    try {
      const running = runKeeper(ethers, "0x0000000000000000000000000000000000000001", {} as Signer, {
        intervalSeconds: 1,
        metrics,
        shouldStop: () => stop,
        log: (_line, fields) => logged.push(fields ?? {}),
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await health()).to.equal(200);
      rpcUp = false;
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await health()).to.equal(503);
      expect(logged.some((f) => f.event === "pass-failed" && f.level === "error")).to.equal(true);
      rpcUp = true;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await health()).to.equal(200);
      stop = true;
      await running;
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
