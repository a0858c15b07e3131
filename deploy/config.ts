/**
 * Configuration of deploy/deploy-vault.ts: an optional JSON file (VAULT_CONFIG=path) overlaid with environment
 * variables, validated with zod. Every field is optional; what is missing comes from the vault defaults
 * (scripts/lib/deploy/vault.ts defaultSettings) and, for addresses, from scripts/lib/deploy/addresses.ts.
 *
 * Environment variables (each overrides the file):
 *   VAULT_<SETTING>   any vault setting in SCREAMING_SNAKE case: VAULT_TARGET_LEVERAGE=3, VAULT_STOP_LOSS_PRICE=1500,
 *                     VAULT_NAME, VAULT_SYMBOL, VAULT_DEPOSIT_CAP (collateral tokens), VAULT_MAX_TRADE_SIZE (debt tokens)...
 *   VAULT_PRESET      a preset by name (scripts/lib/deploy/presets.ts): eth-long-3x, eth-short-2x; its pair sets the
 *                     collateral / debt symbols and its settings the defaults (VAULT_<SETTING> still overrides them;
 *                     amounts in each token's own units, prices in debt per collateral)
 *   VAULT_ETH_STOP_LOSS, VAULT_ETH_TAKE_PROFIT   with a preset: stop-loss / take-profit as ETH/USD prices, converted
 *                     to the pair's price (the short's stop-loss fires on a rally to it)
 *   VAULT_OWNER, VAULT_MANAGER, VAULT_GUARDIAN   roles (default: the deployer)
 *   VAULT_KEEPERS     comma-separated keeper addresses to allow-list (the deployer must be the manager)
 *   VAULT_SALT        CREATE2 salt (any string, or a bytes32); default: the symbol
 *   VAULT_VENUE       aave (default) or morpho: the lending venue. morpho on a live chain borrows on the existing Morpho
 *                     Blue market MORPHO_MARKET_ID; on the local chain (31337) without MORPHO_MARKET_ID the local Morpho
 *                     Blue market of the pair (WETH/USDC, wstETH/WETH) is deployed beside Aave; then the stack with the
 *                     Morpho deployer; presets that do not run on Morpho are refused
 *   MORPHO_MARKET_ID  with VAULT_VENUE=morpho: the Morpho Blue market's id (bytes32, 0x + 64 hex digits); its params are
 *                     read on chain (idToMarketParams) and must be the vault's pair. Required on live chains; on the local
 *                     chain it selects an existing market on the node instead of deploying the local one (the live path
 *                     rehearsed: the other addresses then come from MARKET_* / ORACLE_* or VAULT_CONFIG)
 *   MORPHO_ADDRESS    the Morpho Blue singleton; default from scripts/lib/deploy/addresses.ts (MORPHO_BLUE: Ethereum, Base)
 *   VAULT_KIND        the kind the registry lists the vault under (at most 31 bytes); default the preset's name, else
 *                     "custom" (`npx hardhat vault:list --kind <kind>`)
 *   VAULT_REFINANCEABLE  1 / true: a refinanceable vault (VaultFactory.createRefinanceableVault: a VaultProxy the owner
 *                     can move between Aave and Morpho, `vault:refinance`), starting on VAULT_VENUE. Both venues' stacks
 *                     are deployed (or the recorded ones reused) on one registry, with each factory's implementation;
 *                     the preset must run on both (eth-long-3x, wsteth-loop). On a live chain MORPHO_MARKET_ID names the
 *                     Morpho market whichever venue it starts on; on the local chain the local Morpho Blue is deployed
 *   VAULT_FACTORY     create the vault on this existing factory instead of the one in deployments/<network>.json
 *   VAULT_NEW_STACK   true: deploy a new module/registry/factory even if deployments/<network>.json has one
 *   COLLATERAL_SYMBOL, DEBT_SYMBOL     Aave address-book symbols (default WETH, USDC; e.g. USDCn = native USDC)
 *   MARKET_<FIELD>    MARKET_AAVE_POOL, MARKET_SWAP_ROUTER, MARKET_UNISWAP_FACTORY, MARKET_COLLATERAL_ASSET, MARKET_DEBT_ASSET
 *   ORACLE_<FIELD>    ORACLE_COLLATERAL_FEED, ORACLE_DEBT_FEED, ORACLE_SEQUENCER_FEED, ORACLE_COLLATERAL_HEARTBEAT,
 *                     ORACLE_DEBT_HEARTBEAT, ORACLE_SEQUENCER_GRACE_PERIOD
 */
import fs from "node:fs";
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

const address = z
  .string()
  .refine((s) => isAddress(s), { message: "not an address" })
  .transform((s) => getAddress(s));
const num = z.coerce.number().refine(Number.isFinite, { message: "not a number" });
const nonNegative = num.refine((x) => x >= 0, { message: "must be >= 0" });
const int = num.refine((x) => Number.isInteger(x) && x >= 0, { message: "must be a non-negative integer" });
const bytes32 = z
  .string()
  .refine((s) => /^0x[0-9a-fA-F]{64}$/.test(s), { message: "not a market id: 0x followed by 64 hex digits (bytes32)" })
  .transform((s) => s.toLowerCase());
const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((s) => s === "true")]);
/** A switch: also 1 / 0 and yes / no (VAULT_REFINANCEABLE=1). */
const flag = z.union([z.boolean(), z.enum(["true", "false", "1", "0", "yes", "no"]).transform((s) => ["true", "1", "yes"].includes(s))]);

export const VaultSettingsSchema = z
  .object({
    name: z.string().min(1),
    symbol: z.string().min(1),
    targetLeverage: num.refine((x) => x >= 1, { message: "leverage must be >= 1" }),
    minLeverage: num.refine((x) => x >= 1, { message: "leverage must be >= 1" }),
    maxLeverage: num.refine((x) => x >= 1, { message: "leverage must be >= 1" }),
    minHealthFactor: num.refine((x) => x > 1, { message: "must be > 1" }),
    maxSlippageBps: int,
    swapFee: int,
    depositCap: nonNegative,
    criticalHealthFactor: num.refine((x) => x > 1, { message: "must be > 1" }),
    maxDexDeviationBps: int,
    maxEquityLossBps: int,
    cooldown: int,
    ripcordRewardBps: int,
    ripcordRewardCap: nonNegative,
    maxTradeSize: nonNegative,
    stopLossPrice: nonNegative,
    takeProfitPrice: nonNegative,
    takeProfitLeverage: num.refine((x) => x >= 1, { message: "leverage must be >= 1" }),
    trailBps: int,
    stopToDebtAsset: bool,
    volatilityHorizon: int,
    sigmaMultiple: num.refine((x) => x >= 1 && x <= 10, { message: "must be in [1, 10]" }),
    volatilityRounds: int,
    volatilityFloorLeverage: num.refine((x) => x >= 1, { message: "leverage must be >= 1" }),
  })
  .partial()
  .strict();

export const DeployConfigSchema = z
  .object({
    vault: VaultSettingsSchema.default({}),
    roles: z.object({ owner: address, manager: address, guardian: address }).partial().strict().default({}),
    keepers: z.array(address).default([]),
    salt: z.string().min(1).optional(),
    factory: address.optional(),
    newStack: bool.default(false),
    refinanceable: flag.default(false),
    preset: z.string().min(1).optional(),
    venue: z.enum(["aave", "morpho"], { error: "must be aave or morpho" }).default("aave"),
    kind: z
      .string()
      .min(1)
      .refine((s) => Buffer.byteLength(s, "utf8") <= 31, { message: "at most 31 bytes" })
      .optional(),
    ethStopLoss: nonNegative.optional(),
    ethTakeProfit: nonNegative.optional(),
    collateralSymbol: z.string().default("WETH"),
    debtSymbol: z.string().default("USDC"),
    markets: z
      .object({
        collateralAsset: address,
        debtAsset: address,
        aavePool: address,
        swapRouter: address,
        uniswapFactory: address,
        eModeCategory: int,
      })
      .partial()
      .strict()
      .default({}),
    morpho: z.object({ address: address, marketId: bytes32 }).partial().strict().default({}),
    oracle: z
      .object({
        collateralFeed: address,
        debtFeed: address,
        sequencerFeed: address,
        collateralHeartbeat: int,
        debtHeartbeat: int,
        sequencerGracePeriod: int,
        varianceFeed: address,
      })
      .partial()
      .strict()
      .default({}),
  })
  .strict();

export type DeployConfig = z.infer<typeof DeployConfigSchema>;

const screaming = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** The file (if `VAULT_CONFIG` names one) overlaid with the environment, validated. Throws with every problem listed, on one line. */
export function loadDeployConfig(env: NodeJS.ProcessEnv = process.env): DeployConfig {
  const raw: Record<string, any> = env.VAULT_CONFIG ? JSON.parse(fs.readFileSync(env.VAULT_CONFIG, "utf8")) : {};
  const section = (name: string) => (raw[name] = { ...(raw[name] ?? {}) });
  const setFrom = (target: Record<string, unknown>, prefix: string, keys: string[]) => {
    for (const key of keys) {
      const value = env[`${prefix}${screaming(key)}`];
      if (value !== undefined && value !== "") target[key] = value;
    }
  };
  setFrom(section("vault"), "VAULT_", Object.keys(VaultSettingsSchema.shape));
  setFrom(section("roles"), "VAULT_", ["owner", "manager", "guardian"]);
  setFrom(section("markets"), "MARKET_", [
    "collateralAsset",
    "debtAsset",
    "aavePool",
    "swapRouter",
    "uniswapFactory",
    "eModeCategory",
  ]);
  setFrom(section("oracle"), "ORACLE_", [
    "collateralFeed",
    "debtFeed",
    "sequencerFeed",
    "collateralHeartbeat",
    "debtHeartbeat",
    "sequencerGracePeriod",
    "varianceFeed",
  ]);
  setFrom(section("morpho"), "MORPHO_", ["address", "marketId"]);
  setFrom(raw, "VAULT_", ["salt", "factory", "newStack", "refinanceable", "preset", "venue", "kind", "ethStopLoss", "ethTakeProfit"]);
  if (env.VAULT_KEEPERS) raw.keepers = env.VAULT_KEEPERS.split(",").map((s) => s.trim()).filter(Boolean);
  if (env.COLLATERAL_SYMBOL) raw.collateralSymbol = env.COLLATERAL_SYMBOL;
  if (env.DEBT_SYMBOL) raw.debtSymbol = env.DEBT_SYMBOL;

  const parsed = DeployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`invalid deploy configuration${env.VAULT_CONFIG ? ` (${env.VAULT_CONFIG} + env)` : " (env)"}: ${problems}`);
  }
  return parsed.data;
}
