/**
 * Reading a vault's governance state through its public ABI (ILeveredVault = ILeverageVault + IVaultManagement +
 * IVaultAutomation, TypeChain): pending timelocked changes decoded with the time left, the keeper set, and the
 * parameter fields with their units (for `vault:set-config --set field=value`). Shared by the tasks
 * (tasks/governance.ts, vault:status) and anything else that shows a vault (a dashboard).
 */
import { AbiCoder, formatUnits, id, parseUnits, type ParamType } from "ethers";
import type { ILeveredVault } from "../../../typechain-types";

/** IVaultManagement.ChangeKind, in enum order. */
export const CHANGE_KINDS = ["leverage", "execution", "automation", "exit", "timelock", "rearm", "volatility", "guardian", "fees", "keeper-pay", "outage", "venue"] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** ManagementModule.PENDING_VALIDITY (s): a change may be accepted this long after it becomes valid. */
export const PENDING_VALIDITY_FALLBACK = 7 * 86_400;

/** The getter whose struct a change of `kind` replaces, and the setter that submits it. */
export const CONFIG_OF: Record<Exclude<ChangeKind, "rearm" | "timelock" | "guardian" | "fees" | "venue">, { getter: string; setter: string }> = {
  leverage: { getter: "leverageConfig", setter: "setLeverageConfig" },
  execution: { getter: "executionConfig", setter: "setExecutionConfig" },
  automation: { getter: "automationConfig", setter: "setAutomationConfig" },
  exit: { getter: "exitConfig", setter: "setExitConfig" },
  volatility: { getter: "volatilityConfig", setter: "setVolatilityConfig" },
  "keeper-pay": { getter: "keeperPayConfig", setter: "setKeeperPayConfig" },
  outage: { getter: "outageConfig", setter: "setOutageConfig" },
};

/** How a field is written on the command line and shown: wad (1e18, "3.2"), int, asset / debt token units, bool. */
export type FieldUnit = "wad" | "int" | "asset" | "debt" | "bool" | "address";

/** The unit of every settable field (from the NatSpec of ILeverageVault / IVaultAutomation). */
export const FIELD_UNITS: Record<string, FieldUnit> = {
  guardian: "address",
  implementation: "address",
  targetLeverage: "wad",
  minLeverage: "wad",
  maxLeverage: "wad",
  minHealthFactor: "wad",
  maxSlippageBps: "int",
  swapFee: "int",
  depositCap: "asset",
  criticalHealthFactor: "wad",
  maxDexDeviationBps: "int",
  maxEquityLossBps: "int",
  cooldown: "int",
  ripcordRewardBps: "int",
  maxTradeSize: "debt",
  ripcordRewardCap: "asset",
  stopLossPrice: "wad",
  takeProfitPrice: "wad",
  takeProfitLeverage: "wad",
  trailBps: "int",
  stopToDebtAsset: "bool",
  horizon: "int",
  sigmaMultiple: "int",
  rounds: "int",
  floorLeverage: "wad",
  timelock: "int",
  managementFeeBps: "int",
  gracePeriod: "int",
  twapWindow: "int",
  maxTwapDeviationBps: "int",
  maxActionBps: "int",
  maxHourlyBps: "int",
  performanceFeeBps: "int",
  multiplierBps: "int",
  gasTokenIsDebt: "bool",
  maxGasPrice: "int",
  maxPerAction: "asset",
  maxPerDay: "asset",
};

export interface Decimals {
  asset: number;
  debt: number;
}

/** A field's value for display: `3.2` for a wad, `1000` for an int, `true` for a bool. */
export function showField(name: string, value: unknown, decimals: Decimals): string {
  const unit = FIELD_UNITS[name] ?? "int";
  if (unit === "bool" || unit === "address") return String(value);
  const v = BigInt(value as bigint);
  if (unit === "wad") return formatUnits(v, 18).replace(/\.0$/, "");
  if (unit === "asset") return formatUnits(v, decimals.asset).replace(/\.0$/, "");
  if (unit === "debt") return formatUnits(v, decimals.debt).replace(/\.0$/, "");
  return v.toString();
}

/** Parses `field=value` text for a field; throws an Error with a one-line message. */
export function parseField(name: string, text: string, decimals: Decimals): bigint | boolean {
  const unit = FIELD_UNITS[name];
  if (!unit || unit === "address") throw new Error(`unknown field '${name}'`);
  const value = text.trim();
  if (unit === "bool") {
    if (!/^(true|false)$/.test(value)) throw new Error(`${name} must be true or false (got '${value}')`);
    return value === "true";
  }
  if (unit === "int") {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number >= 0 (got '${value}')`);
    return BigInt(value);
  }
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value)) throw new Error(`${name} must be a decimal number >= 0 (got '${value}')`);
  const places = unit === "wad" ? 18 : unit === "asset" ? decimals.asset : decimals.debt;
  const fraction = value.split(".")[1]?.replace(/0+$/, "") ?? "";
  if (fraction.length > places) throw new Error(`${name} ${value} has more than ${places} decimals`);
  return parseUnits(value, places);
}

/** A struct result (ethers Result) as a plain object of its named fields. */
export function structObject(result: unknown, type: ParamType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = result as unknown[];
  type.components!.forEach((c, i) => (out[c.name] = values[i]));
  return out;
}

export interface PendingChange {
  kind: ChangeKind;
  /** The submitted value, decoded: the struct's fields, `{ timelock }`, or `{}` for a re-arm. */
  value: Record<string, unknown>;
  /** s since the epoch from which anyone may accept it. */
  validAt: number;
  /** s since the epoch after which it can no longer be accepted. */
  expiresAt: number;
  /** Seconds until validAt (0 when it may be accepted now). */
  timeLeft: number;
  state: "waiting" | "acceptable" | "expired";
}

/** PENDING_VALIDITY (not in the interface): read if the vault answers it, else the documented 7 days. */
export async function pendingValidity(vault: ILeveredVault): Promise<number> {
  try {
    const answer = await vault.runner!.provider!.call({ to: vault.target as string, data: id("PENDING_VALIDITY()").slice(0, 10) });
    if (answer && answer !== "0x") return Number(BigInt(answer));
  } catch {
    // not exposed
  }
  return PENDING_VALIDITY_FALLBACK;
}

/** Every pending change of the vault, decoded, with the time left at `now` (s). */
export async function pendingChanges(vault: ILeveredVault, now: number, validity = PENDING_VALIDITY_FALLBACK): Promise<PendingChange[]> {
  const answers = await Promise.all(CHANGE_KINDS.map((_, i) => vault.pendingChange(i)));
  const changes: PendingChange[] = [];
  answers.forEach(([data, validAtRaw], i) => {
    const validAt = Number(validAtRaw);
    if (validAt === 0) return;
    const kind = CHANGE_KINDS[i];
    let value: Record<string, unknown> = {};
    if (kind === "timelock") {
      value = { timelock: AbiCoder.defaultAbiCoder().decode(["uint256"], data)[0] };
    } else if (kind === "guardian") {
      value = { guardian: AbiCoder.defaultAbiCoder().decode(["address"], data)[0] };
    } else if (kind === "venue") {
      value = { implementation: AbiCoder.defaultAbiCoder().decode(["address"], data)[0] };
    } else if (kind === "fees") {
      const [managementFeeBps, performanceFeeBps] = AbiCoder.defaultAbiCoder().decode(["uint16", "uint16"], data);
      value = { managementFeeBps, performanceFeeBps };
    } else if (kind !== "rearm") {
      const type = vault.interface.getFunction(CONFIG_OF[kind].getter as "leverageConfig")!.outputs[0];
      value = structObject(AbiCoder.defaultAbiCoder().decode([type], data)[0], type);
    }
    const expiresAt = validAt + validity;
    changes.push({
      kind,
      value,
      validAt,
      expiresAt,
      timeLeft: Math.max(0, validAt - now),
      state: now < validAt ? "waiting" : now <= expiresAt ? "acceptable" : "expired",
    });
  });
  return changes;
}

/**
 * The allow-listed keepers, from the vault's KeeperSet events since `fromBlock`, each confirmed with isKeeper().
 * Throws when the node refuses the log query (range limits on some providers: pass a later fromBlock).
 */
export async function keeperSet(vault: ILeveredVault, fromBlock = 0): Promise<string[]> {
  const events = await vault.queryFilter(vault.filters.KeeperSet(), fromBlock);
  const seen = [...new Set(events.map((e) => e.args.keeper))];
  const allowed = await Promise.all(seen.map((k) => vault.isKeeper(k)));
  return seen.filter((_, i) => allowed[i]);
}

/** "2 h 5 min" */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** One line per pending change: kind, value, and when it can be accepted. */
export function describePending(change: PendingChange, decimals: Decimals): string {
  const value =
    change.kind === "rearm" ? "return to Active" : Object.entries(change.value).map(([k, v]) => `${k}=${showField(k, v, decimals)}`).join(", ");
  const when =
    change.state === "waiting"
      ? `acceptable in ${duration(change.timeLeft)} (at ${iso(change.validAt)})`
      : change.state === "acceptable"
        ? `acceptable now, until ${iso(change.expiresAt)}`
        : `expired at ${iso(change.expiresAt)}`;
  return `${change.kind}: ${value}; ${when}`;
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
