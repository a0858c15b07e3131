/**
 * Everything the dashboard reads, as plain JSON-RPC calls through ethers v6 with the TypeChain ABIs of the vault's
 * interfaces (ILeveredVault = ILeverageVault + IVaultManagement + IVaultAutomation + IOracleModule + every error),
 * the VaultRegistry and the KeeperLens. No keys, no server of ours: a read that fails is reported, never thrown.
 */
import { AbiCoder, Contract, Interface, JsonRpcProvider, Network, ZeroAddress, type Log, type ParamType } from "ethers";
import { ILeveredVault__factory } from "../../typechain-types/factories/contracts/interfaces/ILeveredVault__factory";
import { IKeeperLens__factory } from "../../typechain-types/factories/contracts/interfaces/IKeeperLens__factory";
import { IAggregatorV3__factory } from "../../typechain-types/factories/contracts/interfaces/IAggregatorV3__factory";
import { VaultRegistry__factory } from "../../typechain-types/factories/contracts/factory/VaultRegistry__factory";
import type { ILeveredVault } from "../../typechain-types/contracts/interfaces/ILeveredVault";
import { KINDS, WAD } from "./format";
import { decodeMarkets, venueName } from "../../scripts/lib/deploy/venues";

/** How the page names each venue's lending market. */
const LENDING: Record<string, string> = { aave: "Aave V3", morpho: "Morpho Blue" };

export const vaultInterface = new Interface(ILeveredVault__factory.abi);
export const registryInterface = new Interface(VaultRegistry__factory.abi);
export const lensInterface = new Interface(IKeeperLens__factory.abi);
const ERC20 = [
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
];
const FACTORY = [
  "function VENUE() view returns (bytes32)",
  "function markets() view returns (bytes)",
  "function oracle() view returns ((address collateralFeed, address debtFeed, address sequencerFeed, uint256 collateralHeartbeat, uint256 debtHeartbeat, uint256 sequencerGracePeriod, address varianceFeed))",
];
const UNI_FACTORY = ["function getPool(address,address,uint24) view returns (address)"];
const POOL = ["function slot0() view returns (uint160 sqrtPriceX96, int24 tick, uint16, uint16, uint16, uint8, bool)"];
const VALIDITY = ["function PENDING_VALIDITY() view returns (uint256)"];
const FEED_EXTRA = ["function description() view returns (string)"];

/** A deployment record as /deployments.json serves it (subset of scripts/lib/deploy/deployments.ts). */
export interface DeploymentInfo {
  file: string;
  network: string;
  chainId: number;
  registry: string;
  lens?: string;
  factory?: string;
  markets?: { collateralAsset: string; debtAsset: string; uniswapFactory: string };
  oracle?: { collateralFeed: string; debtFeed: string; collateralHeartbeat: number; debtHeartbeat: number };
  vaults?: { address: string; name: string; block: number }[];
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: string; errorName?: string; args?: unknown[] };

/** The custom error a revert carries, decoded with the vault's ABI (which lists every error it can raise). */
export function decodeError(error: unknown, iface: Interface = vaultInterface): { name: string; args: unknown[]; text: string } | undefined {
  const data = findRevertData(error);
  if (!data || data === "0x") return undefined;
  try {
    const parsed = iface.parseError(data);
    if (!parsed) return undefined;
    const args = [...parsed.args];
    const text = `${parsed.name}(${parsed.fragment.inputs.map((p, i) => `${p.name || i}=${fmtArg(args[i])}`).join(", ")})`;
    return { name: parsed.name, args, text };
  } catch {
    return undefined;
  }
}
function fmtArg(a: unknown): string {
  if (typeof a === "bigint") return a.toString();
  if (Array.isArray(a)) return `(${a.map(fmtArg).join(", ")})`;
  return String(a);
}
function findRevertData(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== "object" || depth > 6) return undefined;
  const o = e as Record<string, unknown>;
  if (typeof o.data === "string" && o.data.startsWith("0x")) return o.data;
  for (const k of ["error", "info", "cause", "data", "payload"]) {
    const r = findRevertData(o[k], depth + 1);
    if (r) return r;
  }
  return undefined;
}
export function errorText(e: unknown): string {
  const d = decodeError(e);
  if (d) return d.text;
  const o = e as { shortMessage?: string; message?: string; code?: string };
  return o?.shortMessage ?? o?.message?.split("\n")[0] ?? String(e);
}
export async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    const d = decodeError(error);
    return { ok: false, error: errorText(error), errorName: d?.name, args: d?.args };
  }
}

/** Raw JSON-RPC with a timeout: how the page tells "RPC down" from "call reverted". */
export async function rpcCall<T = unknown>(url: string, method: string, params: unknown[] = [], timeoutMs = 4000): Promise<T> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: ctl.signal,
    });
    const body = await res.json();
    if (body.error) throw Object.assign(new Error(body.error.message), { data: body.error.data });
    return body.result as T;
  } finally {
    clearTimeout(timer);
  }
}

export class Chain {
  readonly provider: JsonRpcProvider;
  private tokenCache = new Map<string, Promise<{ symbol: string; decimals: number }>>();
  private staticCache = new Map<string, Promise<unknown>>();
  constructor(
    readonly url: string,
    readonly chainId: number,
  ) {
    // A static network: no detection loop (and no console noise) when the node goes away.
    this.provider = new JsonRpcProvider(url, Network.from(chainId), { staticNetwork: true, batchMaxCount: 50 });
  }
  vault(address: string): ILeveredVault {
    return ILeveredVault__factory.connect(address, this.provider);
  }
  token(address: string) {
    let p = this.tokenCache.get(address);
    if (!p) {
      const c = new Contract(address, ERC20, this.provider);
      p = Promise.all([c.symbol().catch(() => "?"), c.decimals().catch(() => 18n)]).then(([symbol, decimals]) => ({ symbol, decimals: Number(decimals) }));
      p.catch(() => this.tokenCache.delete(address));
      this.tokenCache.set(address, p);
    }
    return p;
  }
  erc20(address: string) {
    return new Contract(address, ERC20, this.provider);
  }
  cached<T>(key: string, f: () => Promise<T>): Promise<T> {
    let p = this.staticCache.get(key) as Promise<T> | undefined;
    if (!p) {
      p = f();
      p.catch(() => this.staticCache.delete(key));
      this.staticCache.set(key, p);
    }
    return p;
  }
  forget(key: string) {
    this.staticCache.delete(key);
  }
  async registryVaults(registry: string): Promise<string[]> {
    const r = new Contract(registry, registryInterface, this.provider);
    const count: bigint = await r.vaultCount();
    return count === 0n ? [] : [...((await r.vaults(0, count)) as string[])];
  }
  /** The factory and block each vault was registered with (VaultRegistered events). */
  registrations(registry: string): Promise<Map<string, { factory: string; block: number }>> {
    return this.cached(`reg:${registry}`, async () => {
      const logs = await this.provider.getLogs({ address: registry, topics: [registryInterface.getEvent("VaultRegistered")!.topicHash], fromBlock: 0 });
      const m = new Map<string, { factory: string; block: number }>();
      for (const l of logs) {
        const ev = registryInterface.parseLog(l)!;
        m.set((ev.args.vault as string).toLowerCase(), { factory: ev.args.factory as string, block: l.blockNumber });
      }
      return m;
    });
  }
  /** Feeds and markets of the vault's factory (VaultFactory VENUE()/markets()/oracle()), else the record's. */
  venue(factory: string | undefined, record?: DeploymentInfo) {
    return this.cached(`venue:${factory}`, async () => {
      if (factory && factory !== ZeroAddress) {
        const f = new Contract(factory, FACTORY, this.provider);
        const [v, m, o] = await Promise.all([settle(f.VENUE()), settle(f.markets()), settle(f.oracle())]);
        const venue = v.ok ? venueName(v.value as string) : undefined;
        if (v.ok && m.ok && o.ok && (venue === "aave" || venue === "morpho")) {
          const mm = decodeMarkets(venue, m.value as string) as { uniswapFactory: string };
          const oo = o.value as { collateralFeed: string; debtFeed: string; collateralHeartbeat: bigint; debtHeartbeat: bigint };
          return {
            uniswapFactory: mm.uniswapFactory,
            collateralFeed: oo.collateralFeed,
            debtFeed: oo.debtFeed,
            collateralHeartbeat: Number(oo.collateralHeartbeat),
            debtHeartbeat: Number(oo.debtHeartbeat),
            lending: LENDING[venue],
            source: "factory",
          };
        }
      }
      if (record?.markets && record.oracle) {
        return {
          uniswapFactory: record.markets.uniswapFactory,
          collateralFeed: record.oracle.collateralFeed,
          debtFeed: record.oracle.debtFeed,
          collateralHeartbeat: Number(record.oracle.collateralHeartbeat),
          debtHeartbeat: Number(record.oracle.debtHeartbeat),
          lending: undefined as string | undefined,
          source: "deployment record",
        };
      }
      return undefined;
    });
  }
  async feed(address: string, now: number, heartbeat: number) {
    const f = new Contract(address, [...IAggregatorV3__factory.abi, ...FEED_EXTRA], this.provider);
    const [round, decimals, description] = await Promise.all([f.latestRoundData(), this.cached(`dec:${address}`, () => f.decimals()), f.description().catch(() => "")]);
    const updatedAt = Number(round[3]);
    return { address, description: description as string, answer: round[1] as bigint, decimals: Number(decimals), updatedAt, age: now - updatedAt, heartbeat };
  }
  /** DEX spot price of 1 collateral in debt units (wad), from the pool of the vault's fee tier. */
  async dexPrice(uniswapFactory: string, collateral: string, debt: string, fee: bigint, cDec: number, dDec: number): Promise<bigint | undefined> {
    const pool: string = await this.cached(`pool:${uniswapFactory}:${fee}`, () => new Contract(uniswapFactory, UNI_FACTORY, this.provider).getPool(collateral, debt, fee));
    if (pool === ZeroAddress) return undefined;
    const [sqrtPriceX96] = await new Contract(pool, POOL, this.provider).slot0();
    // raw token1 per raw token0 = (sqrtP / 2^96)^2
    const Q192 = 2n ** 192n;
    const sq = (sqrtPriceX96 as bigint) * (sqrtPriceX96 as bigint);
    const collateralIs0 = BigInt(collateral) < BigInt(debt);
    // wad debt per whole collateral
    if (collateralIs0) return (sq * WAD * 10n ** BigInt(cDec)) / Q192 / 10n ** BigInt(dDec);
    return (Q192 * WAD * 10n ** BigInt(cDec)) / sq / 10n ** BigInt(dDec);
  }
  pendingValidity(vault: string): Promise<number> {
    return this.cached(`validity:${vault}`, () =>
      new Contract(vault, VALIDITY, this.provider)
        .PENDING_VALIDITY()
        .then(Number)
        .catch(() => 7 * 86400),
    );
  }
}

/** The current value of each ChangeKind's config, for old -> new. */
export const CONFIG_GETTER: Record<string, string> = {
  Leverage: "leverageConfig",
  Execution: "executionConfig",
  Automation: "automationConfig",
  Exit: "exitConfig",
  Timelock: "timelock",
  Volatility: "volatilityConfig",
};

export interface PendingChange {
  kind: string;
  validAt: number;
  expiresAt: number;
  fields: { name: string; old: unknown; new: unknown }[];
}

/** Decodes `pendingChange(kind)`'s `abi.encode(config)` with the type of the matching getter's return value. */
export function decodePending(kind: string, data: string, current: unknown): { name: string; old: unknown; new: unknown }[] {
  if (kind === "Guardian") {
    const [guardian] = AbiCoder.defaultAbiCoder().decode(["address"], data);
    return [{ name: "guardian", old: current, new: guardian }];
  }
  const getter = CONFIG_GETTER[kind];
  if (!getter) return [{ name: kind === "Rearm" ? "mode" : kind, old: kind === "Rearm" ? "stopped (latched)" : "", new: kind === "Rearm" ? "Active (re-levers)" : data }];
  const type: ParamType = vaultInterface.getFunction(getter)!.outputs[0];
  const [decoded] = AbiCoder.defaultAbiCoder().decode([type], data);
  if (!type.components) return [{ name: kind, old: current, new: decoded }];
  const fields: { name: string; old: unknown; new: unknown }[] = [];
  type.components.forEach((c, i) => {
    const oldV = (current as unknown[] | undefined)?.[i];
    const newV = decoded[i];
    if (String(oldV) !== String(newV)) fields.push({ name: c.name, old: oldV, new: newV });
  });
  return fields;
}

export const KIND_INDEX = KINDS.map((k, i) => [k, i] as const);
export type { Log };
