/**
 * The venue ids and kind labels the factory records in the registry (IVaultRegistry.VaultSpec), as bytes32 short
 * strings, and their readable forms. Node only, no `hardhat` import: the tasks (loaded with the config) use it.
 */
import { AbiCoder, decodeBytes32String, encodeBytes32String, isHexString } from "ethers";

/** The lending venue a vault borrows on: Aave V3, or a Morpho Blue market. */
export type Venue = "aave" | "morpho";

/** The venue a refinanceable vault on `venue` can move to (two venues: the other one). */
export const otherVenue = (venue: Venue): Venue => (venue === "aave" ? "morpho" : "aave");

/** The on-chain venue id of each venue (VaultDeployer.VENUE). */
export const VENUE_IDS: Record<Venue, string> = {
  aave: encodeBytes32String("aave-v3"),
  morpho: encodeBytes32String("morpho-blue"),
};

/** Per venue: the vault contract and the deployer holding its creation code. */
export const VENUE_CONTRACTS = {
  aave: { vault: "AaveUniswapLeverageVault", deployer: "AaveUniswapVaultDeployer" },
  morpho: { vault: "MorphoUniswapLeverageVault", deployer: "MorphoUniswapVaultDeployer" },
} as const satisfies Record<Venue, { vault: string; deployer: string }>;

/**
 * Each venue's Markets struct (AaveUniswapMarkets.Markets, MorphoUniswapMarkets.Markets) as an ABI tuple: what
 * VaultFactory.markets() returns encoded. test/factory checks them against the vault constructors' first argument.
 */
export const MARKETS_TUPLES: Record<Venue, string> = {
  aave: "tuple(address collateralAsset, address debtAsset, address aavePool, address swapRouter, address uniswapFactory, uint8 eModeCategory)",
  morpho:
    "tuple(address collateralAsset, address debtAsset, address morpho, address morphoOracle, address irm, uint256 lltv, address swapRouter, address uniswapFactory)",
};

/** The venue's markets ABI-encoded, as VaultFactory's constructor takes them. */
export function encodeMarketsOf(venue: Venue, markets: object): string {
  return AbiCoder.defaultAbiCoder().encode([MARKETS_TUPLES[venue]], [markets]);
}

/** VaultFactory.markets() decoded for the factory's venue (fields by name: collateralAsset, uniswapFactory...). */
export function decodeMarkets(venue: Venue, data: string): Record<string, string | bigint> {
  return AbiCoder.defaultAbiCoder().decode([MARKETS_TUPLES[venue]], data)[0].toObject();
}

/** The kind a vault is listed under when its creator names none. */
export const DEFAULT_KIND = "custom";

/** `aave` / `morpho` from an on-chain venue id, else the id's text (or hex when it is not a string). */
export function venueName(id: string): Venue | string {
  const venue = (Object.keys(VENUE_IDS) as Venue[]).find((v) => VENUE_IDS[v] === id);
  return venue ?? bytes32Text(id);
}

/** A kind label as bytes32 (at most 31 bytes of UTF-8; a 32-byte hex string is taken as it is). */
export function kindId(kind: string): string {
  if (isHexString(kind, 32)) return kind;
  if (new TextEncoder().encode(kind).length > 31) throw new Error(`kind '${kind}' is longer than 31 bytes`);
  return encodeBytes32String(kind);
}

/** A bytes32 short string back to text; the hex itself when it is not one. */
export function bytes32Text(id: string): string {
  try {
    return decodeBytes32String(id);
  } catch {
    return id;
  }
}
