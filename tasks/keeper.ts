/**
 * The keeper bot (imported by hardhat.config.ts; `npm run keeper` runs it too):
 *   npx hardhat keeper:run --registry <addr> [--lens <addr>] [--interval <s>] [--once] [--max-actions <n>]
 *                          [--page-size <n>] [--signer <addr>] [--dry-run] [--max-fee band=50,health=100,...]
 *                          [--stuck-blocks <n>] [--confirm-timeout <s>] [--rpc-urls <u1,u2>] [--send-url <u>]
 *                          [--log-format text|json] [--metrics-port <port>] [--health-max-age <s>] [--min-balance <eth>]
 * Settings also come from the environment (.env): KEEPER_PRIVATE_KEY, KEEPER_REGISTRY, KEEPER_METRICS_PORT,
 * KEEPER_HEALTH_MAX_AGE, KEEPER_MIN_BALANCE, KEEPER_LOG_FORMAT; a flag wins over its variable.
 * Stops on SIGTERM / SIGINT (after the scan in progress; a second signal exits at once) and when the process that
 * started it exits (npm, npx, a shell wrapper killed without passing the signal on): metrics port closed, exit 0.
 * `--once` exit codes: scripts/lib/keeper/keeper.ts KEEPER_EXIT (0 done, 2 blocked, 3 unreadable, 4 scan failed).
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { FallbackProvider, JsonRpcProvider, Network, Wallet, formatEther, getAddress, parseEther, type Provider, type Signer, type TransactionRequest, type TransactionResponse } from "ethers";
import { z } from "zod";
import { describeError, gas } from "../scripts/lib/util/format";
import { KEEPER_EXIT, passExitCode, runKeeper, type KeeperPassResult } from "../scripts/lib/keeper/keeper";
import { deploymentsFile, readDeploymentRecord } from "../scripts/lib/deploy/deployments";
import { address, amount, fail, integer, parseArgs } from "./cli";
import { DEFAULT_FEES, KeeperSender, URGENCIES, gwei, parseFeeCaps } from "../scripts/lib/keeper/keeper-sender";
import { KeeperMetrics, serveMetrics } from "../scripts/lib/keeper/keeper-metrics";
import { keeperLogger, type KeeperLog } from "../scripts/lib/keeper/keeper-log";
import { signerFor, read } from "./shared";

/**
 * The lens `keeper:run` scans through: `--lens`, else the one recorded with this registry in
 * deployments/<network>.json, else none (the bot then calls every vault's trigger() itself).
 */
async function keeperLens(
  hre: HardhatRuntimeEnvironment,
  registry: string,
  given: string | undefined,
  log: KeeperLog,
): Promise<string | undefined> {
  const record = given ? undefined : readDeploymentRecord(hre.network.name);
  const recorded = record?.lens && record.registry && getAddress(record.registry) === registry ? record.lens : undefined;
  const source = given ? "--lens" : deploymentsFile(hre.network.name);
  const address = given ?? recorded;
  if (!address) {
    log(
      `no KeeperLens given (--lens) or recorded for this registry in ${source}: ` +
        `falling back to one trigger() call per vault`,
      { event: "lens", lens: null, source },
    );
    return undefined;
  }
  const lens = await hre.ethers.getContractAt("IKeeperLens", getAddress(address));
  let triggerGasLimit: bigint | undefined;
  if ((await hre.ethers.provider.getCode(lens.target as string)) !== "0x") {
    triggerGasLimit = await lens.TRIGGER_GAS_LIMIT().catch(() => undefined);
  }
  if (triggerGasLimit === undefined) {
    if (given) fail(`no KeeperLens at ${address} (no code, or no TRIGGER_GAS_LIMIT())`);
    log(`the KeeperLens ${address} recorded in ${source} does not answer: falling back to one trigger() call per vault`, { event: "lens", level: "warn", lens: null, source });
    return undefined;
  }
  log(`scanning through KeeperLens ${lens.target} (from ${source}; ${gas(triggerGasLimit)} gas per trigger())`, { event: "lens", lens: lens.target, source });
  return lens.target as string;
}

const urlList = (flag: string) =>
  z
    .string()
    .transform((text) => text.split(",").map((u) => u.trim()).filter(Boolean))
    .superRefine((urls, ctx) => {
      if (urls.length === 0) ctx.addIssue({ code: "custom", message: `--${flag} is empty` });
      for (const url of urls) {
        if (!/^(https?|wss?):\/\/[^\s]+$/.test(url)) ctx.addIssue({ code: "custom", message: `--${flag} '${url}' is not an http(s) or ws(s) URL` });
      }
    });

const KeeperArgs = z.object({
  registry: address("registry"),
  lens: address("lens").optional(),
  interval: integer("interval", 1),
  maxActions: integer("max-actions", 1, 1000),
  pageSize: integer("page-size", 1, 100_000),
  signer: address("signer").optional(),
  once: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  maxFee: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseFeeCaps(text ?? "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `--max-fee: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  stuckBlocks: integer("stuck-blocks", 1, 1000),
  confirmTimeout: integer("confirm-timeout", 0, 3600),
  rpcUrls: urlList("rpc-urls").optional(),
  sendUrl: urlList("send-url").optional(),
  logFormat: z.enum(["text", "json"], { error: (i) => `--log-format must be text or json (got '${String(i.input)}')` }),
  metricsPort: integer("metrics-port", 0, 65_535).optional(),
  healthMaxAge: integer("health-max-age", 1, 86_400).optional(),
  refinanceGap: integer("refinance-gap", 0, 10_000).optional(),
  minBalance: amount("min-balance"),
});

/** The environment's value for a flag left unset (KEEPER_* in .env). */
const fromEnv = (value: unknown, variable: string, fallback?: string) => value ?? (process.env[variable]?.trim() || fallback);

/** Default --min-balance (ETH): below it every pass logs a low-balance warning. */
export const DEFAULT_MIN_BALANCE = "0.05";

/**
 * The allow-list check at start: reads every vault of the registry (pages of `pageSize`) and whether `keeper` may
 * call rebalance() on it. Returns the vaults it is not allow-listed on.
 */
async function allowListCheck(hre: HardhatRuntimeEnvironment, registryAddress: string, keeper: string, pageSize: number, reader: Provider) {
  const registry = (await hre.ethers.getContractAt("IVaultRegistry", registryAddress)).connect(reader) as unknown as {
    vaultCount(): Promise<bigint>;
    vaults(offset: bigint, limit: number): Promise<string[]>;
  };
  const count = await registry.vaultCount();
  const missing: string[] = [];
  for (let offset = 0n; offset < count; offset += BigInt(pageSize)) {
    const page = await registry.vaults(offset, pageSize);
    const allowed = await Promise.all(
      page.map(async (vault) => {
        const contract = (await hre.ethers.getContractAt("IVaultSettings", vault)).connect(reader) as unknown as { isKeeper(a: string): Promise<boolean> };
        return contract.isKeeper(keeper).catch(() => false);
      }),
    );
    page.forEach((vault, i) => allowed[i] || missing.push(vault));
  }
  return { count: Number(count), missing };
}

/**
 * Providers and signer for --rpc-urls / --send-url: reads through a FallbackProvider over the URLs (in order of
 * priority), sends signed locally with KEEPER_PRIVATE_KEY (else DEPLOYER_PRIVATE_KEY) and broadcast through the send
 * URL when given (e.g. a private-transaction endpoint), else through the read URLs.
 */
async function keeperConnections(hre: HardhatRuntimeEnvironment, rpcUrls: string[] | undefined, sendUrl: string[] | undefined) {
  const variable = process.env.KEEPER_PRIVATE_KEY ? "KEEPER_PRIVATE_KEY" : "DEPLOYER_PRIVATE_KEY";
  const key = process.env[variable]?.trim();
  if (!key) fail("--rpc-urls / --send-url sign locally: set KEEPER_PRIVATE_KEY (or DEPLOYER_PRIVATE_KEY)");
  try {
    new Wallet(key);
  } catch {
    fail(`${variable} is not a private key (0x followed by 64 hex digits): check .env`);
  }
  const urls = rpcUrls ?? [(hre.network.config as { url?: string }).url ?? ""].filter(Boolean);
  if (urls.length === 0) fail(`--send-url needs --rpc-urls on network '${hre.network.name}' (it has no URL)`);
  let chainId = hre.network.config.chainId;
  for (const url of urls) {
    if (chainId !== undefined) break;
    chainId = await new JsonRpcProvider(url, undefined, { staticNetwork: true })
      .send("eth_chainId", [])
      .then((id: string) => Number(id))
      .catch(() => undefined);
  }
  if (chainId === undefined) fail(`none of --rpc-urls answers eth_chainId: ${urls.join(", ")}`);
  const network = Network.from(chainId);
  const make = (url: string) => new JsonRpcProvider(url, network, { staticNetwork: network, pollingInterval: 1000 });
  const reader: Provider =
    urls.length === 1
      ? make(urls[0])
      : new FallbackProvider(urls.map((url, i) => ({ provider: make(url), priority: i + 1, stallTimeout: 1500, weight: 1 })), network, { quorum: 1 });
  const broadcaster: Provider = sendUrl ? (sendUrl.length === 1 ? make(sendUrl[0]) : new FallbackProvider(sendUrl.map((u) => make(u)), network, { quorum: 1 })) : reader;
  class SplitWallet extends Wallet {
    override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
      const populated = await this.populateTransaction(tx);
      delete populated.from;
      const signed = await this.signTransaction(populated);
      return broadcaster.broadcastTransaction(signed);
    }
  }
  const signer = new SplitWallet(key, reader);
  return { reader, signer, urls, sendUrl };
}

task("keeper:run", "Keeper bot: scans every vault in a registry and runs the actions their triggers report")
  .addOptionalParam("registry", "VaultRegistry address (or KEEPER_REGISTRY)")
  .addOptionalParam(
    "lens",
    "KeeperLens address (default: the one recorded for the registry in deployments/<network>.json; " +
      "without one, trigger() is called per vault)",
  )
  .addOptionalParam("interval", "seconds between scans", "60")
  .addOptionalParam("maxActions", "calls per vault and scan (chunked unwinds)", "10")
  .addOptionalParam("pageSize", "vaults per lens eth_call (or per registry page without a lens)", "100")
  .addOptionalParam("signer", "keeper account (default: first account); must be allow-listed for rebalance()")
  .addFlag("once", "run a single scan and exit: 0 done, 2 a due action blocked, 3 a vault unreadable, 4 scan failed")
  .addFlag("dryRun", "scan and simulate every due action (gas estimated), send nothing")
  .addOptionalParam("maxFee", "max fee per gas per urgency, gwei, band <= health <= stop <= ripcord", "band=50,health=100,stop=200,ripcord=500")
  .addOptionalParam("stuckBlocks", "blocks after which an unmined transaction is replaced with bumped fees", "3")
  .addOptionalParam("confirmTimeout", "seconds a send waits for its receipt before leaving it in flight", "15")
  .addOptionalParam("rpcUrls", "comma-separated RPC URLs read through an ethers FallbackProvider (signs with KEEPER_PRIVATE_KEY)")
  .addOptionalParam("sendUrl", "RPC URL transactions are broadcast through (e.g. a private-transaction endpoint)")
  .addOptionalParam("logFormat", "text or json (one JSON object per line; or KEEPER_LOG_FORMAT)")
  .addOptionalParam("metricsPort", "serve Prometheus /metrics and /healthz on this port (127.0.0.1; 0 = any free port; or KEEPER_METRICS_PORT)")
  .addOptionalParam("healthMaxAge", "/healthz fails (503) when the last successful scan is older than this, s (or KEEPER_HEALTH_MAX_AGE; default 3 intervals, at least 60)")
  .addOptionalParam(
    "refinanceGap",
    "also execute a vault's accepted venue move (vault:refinance) once the destination borrows this many bps a year cheaper",
  )
  .addOptionalParam("minBalance", `warn (event low-balance) when the keeper holds less ETH than this (or KEEPER_MIN_BALANCE; default ${DEFAULT_MIN_BALANCE})`)
  .setAction(async (raw: Record<string, unknown>, hre): Promise<KeeperPassResult[]> => {
    const args = parseArgs(KeeperArgs, {
      ...raw,
      registry: fromEnv(raw.registry, "KEEPER_REGISTRY"),
      logFormat: fromEnv(raw.logFormat, "KEEPER_LOG_FORMAT", "text"),
      metricsPort: fromEnv(raw.metricsPort, "KEEPER_METRICS_PORT"),
      healthMaxAge: fromEnv(raw.healthMaxAge, "KEEPER_HEALTH_MAX_AGE"),
      minBalance: fromEnv(raw.minBalance, "KEEPER_MIN_BALANCE", DEFAULT_MIN_BALANCE),
    });
    const log = keeperLogger(args.logFormat);
    const fromCommandLine = process.argv.includes("keeper:run");
    const custom = args.rpcUrls || args.sendUrl ? await keeperConnections(hre, args.rpcUrls, args.sendUrl) : undefined;
    if (custom && args.signer && getAddress(args.signer) !== custom.signer.address) {
      fail(`--signer ${args.signer} is not the KEEPER_PRIVATE_KEY account ${custom.signer.address}`);
    }
    const signer: Signer = custom?.signer ?? (await signerFor(hre, args.signer));
    const me = await signer.getAddress();
    const reader: Provider = custom?.reader ?? hre.ethers.provider;
    const registry = args.registry;
    if ((await read(`reading the code at ${registry}`, () => reader.getCode(registry))) === "0x") {
      fail(`no contract at ${registry} on '${hre.network.name}'`);
    }
    const caps = URGENCIES.map((u) => `${u} ${gwei(args.maxFee[u])}`).join(", ");
    log(
      `keeper ${me} on '${hre.network.name}', registry ${registry}${args.once ? ", one scan" : `, every ${args.interval} s`}` +
        (args.dryRun ? "; DRY RUN: nothing is sent" : `; max fee ${caps}; stuck after ${args.stuckBlocks} blocks`) +
        (custom ? `; reads via ${custom.urls.length} URL(s)${custom.urls.length > 1 ? " (fallback)" : ""}, sends via ${custom.sendUrl ? "--send-url" : "the same"}` : ""),
      { event: "start", keeper: me, network: hre.network.name, registry, dryRun: args.dryRun, pid: process.pid },
    );
    const lens = await keeperLens(hre, registry, args.lens, log);

    // Start-up check: the vaults this signer may not rebalance (it can still pull their ripcord when armed).
    const allowList = await read("reading the registry's vaults and keepers", () => allowListCheck(hre, registry, me, args.pageSize, reader));
    if (allowList.missing.length > 0) {
      log(
        `${me} is not an allow-listed keeper on ${allowList.missing.length} of ${allowList.count} vault(s): ${allowList.missing.join(", ")} ` +
          `(their manager runs vault:set-keeper; until then the bot can only pull an armed ripcord there)`,
        { event: "allow-list", level: "warn", keeper: me, vaults: allowList.count, notAllowListed: allowList.missing },
      );
    } else {
      log(`${me} is an allow-listed keeper on all ${allowList.count} vault(s)`, { event: "allow-list", keeper: me, vaults: allowList.count, notAllowListed: [] });
    }

    const metrics = new KeeperMetrics();
    const senderLog: KeeperLog = (line, fields) => {
      if (fields?.event === "replaced") metrics.replacements.inc();
      log(line, fields);
    };
    const sender = new KeeperSender(signer, reader, {
      fees: { ...DEFAULT_FEES, maxFee: args.maxFee },
      stuckBlocks: args.stuckBlocks,
      confirmTimeoutMs: args.confirmTimeout * 1000,
      log: senderLog,
      onMined: (receipt) => {
        metrics.gasUsed.inc(Number(receipt.gasUsed));
        metrics.feesPaid.inc(Number(receipt.gasUsed * receipt.gasPrice));
      },
    });
    const minBalance = parseEther(args.minBalance);
    const checkBalance = async () => {
      const balance = await reader.getBalance(me);
      metrics.balance.set(Number(formatEther(balance)));
      if (balance < minBalance) {
        log(`keeper ${me} holds ${formatEther(balance)} ETH, below --min-balance ${args.minBalance}: top it up`, {
          event: "low-balance",
          level: "warn",
          keeper: me,
          balanceWei: balance,
          minBalanceWei: minBalance,
        });
      }
    };
    const healthMaxAge = args.healthMaxAge ?? Math.max(60, 3 * args.interval);
    let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
    if (args.metricsPort !== undefined) {
      try {
        server = await serveMetrics(metrics, args.metricsPort, "127.0.0.1", healthMaxAge);
      } catch (error) {
        const code = (error as { code?: string }).code;
        fail(code === "EADDRINUSE" ? `--metrics-port ${args.metricsPort} is in use on 127.0.0.1: pick another port (0 = any free one)` : `--metrics-port ${args.metricsPort}: ${describeError(error)}`);
      }
      log(`metrics on http://127.0.0.1:${server.port}/metrics, health on /healthz (fails after ${healthMaxAge} s without a successful scan)`, {
        event: "metrics",
        port: server.port,
        healthMaxAge,
      });
    }

    // Stop requests: SIGTERM / SIGINT (a second one exits at once), or the parent process going away. The parent is
    // npm / npx / a shell when started through `npm run keeper` or `npx hardhat`: those pass a signal to their shell
    // only, which dies without passing it on, so an orphaned bot would otherwise go on scanning and sending.
    let stop = false;
    const requestStop = (why: string, fields: Record<string, unknown>) => {
      if (stop) {
        log(`${why} again: exiting now`, { ...fields, level: "warn" });
        server?.closeAllConnections();
        server?.close();
        process.exit(fields.signal === "SIGINT" ? 130 : 143);
      }
      log(`${why}: stopping after this scan`, fields);
      stop = true;
    };
    const onSignal = (signal: NodeJS.Signals) => requestStop(signal, { event: "signal", signal });
    const parent = process.ppid;
    const parentWatch = setInterval(() => {
      if (!stop && process.env.KEEPER_IGNORE_PARENT_EXIT !== "1" && process.ppid !== parent) {
        requestStop(`parent process ${parent} exited`, { event: "parent-exited", parent });
      }
    }, 500);
    parentWatch.unref();
    if (!args.once) for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, onSignal);
    let passes: KeeperPassResult[] = [];
    try {
      passes = await runKeeper(hre.ethers, registry, signer, {
        lens,
        once: args.once,
        intervalSeconds: args.interval,
        maxActionsPerVault: args.maxActions,
        pageSize: args.pageSize,
        dryRun: args.dryRun,
        sender,
        metrics,
        provider: custom?.reader,
        refinanceGapBps: args.refinanceGap,
        shouldStop: () => stop,
        beforePass: checkBalance,
        log,
      });
    } catch (error) {
      // --once only (a long-running bot waits and retries): the registry could not be scanned at all.
      log(`keeper scan failed: ${describeError(error)}`, { event: "exit", level: "error", code: KEEPER_EXIT.scanFailed, error: describeError(error) });
      if (fromCommandLine) process.exitCode = KEEPER_EXIT.scanFailed;
      else throw error;
    } finally {
      clearInterval(parentWatch);
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeListener(signal, onSignal);
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
      if (sender.inFlight.size) log(`stopped with ${sender.inFlight.size} transaction(s) in flight: a restart finds them on chain`, { event: "stopped", inFlight: sender.inFlight.size });
      else if (!args.once) log("stopped", { event: "stopped", inFlight: 0 });
      custom?.reader.destroy();
    }
    if (args.once && passes.length === 1) {
      const code = passExitCode(passes[0]);
      const pass = passes[0];
      if (code !== KEEPER_EXIT.ok) {
        const why =
          code === KEEPER_EXIT.unreadable
            ? `${pass.failures.length} vault(s) unreadable: ${pass.failures.map((f) => `${f.vault} ${f.error}`).join("; ")}`
            : `${pass.blocked.length} due action(s) blocked: ${pass.blocked.map((b) => `${b.vault} ${b.action} (${b.reason})`).join("; ")}`;
        log(`exit ${code}: ${why}`, { event: "exit", level: "error", code, unreadable: pass.failures.length, blocked: pass.blocked.length });
      }
      // Only as the command itself: run in-process (hre.run in a test), the caller reads the pass.
      if (fromCommandLine) process.exitCode = code;
    }
    return passes;
  });
