/**
 * An existing Morpho Blue market chosen by its id (MORPHO_MARKET_ID), for deploy/deploy-vault.ts with
 * VAULT_VENUE=morpho on a live chain (or, to rehearse that path, on a `hardhat node` holding a Morpho Blue).
 * The market's params are read on chain (`idToMarketParams(id)` on the Morpho singleton) and checked before any
 * transaction: the market exists, its collateral / loan tokens are the vault's pair on that chain, and its id is the
 * hash of the params read. Every refusal is a MorphoMarketError: one line, naming the variable to change.
 * The LLTV is returned as the market's risk (Morpho has one LLTV: max LTV and liquidation threshold at once), for
 * the settings preflight (scripts/lib/deploy/preflight.ts). Node + ethers only, no `hardhat` import.
 */
import { Contract, ZeroAddress, formatUnits, getAddress, type Provider } from "ethers";
import { CHAIN_NAMES, morphoBlueAddress } from "./addresses";
import type { MorphoMarketAddresses } from "./morpho-vault";
import type { MarketRisk } from "./preflight";
import { morphoMarketId, type MorphoMarketParams } from "../market/morpho";

/** A refusal of the market configuration: one line, nothing sent. */
export class MorphoMarketError extends Error {
  override name = "MorphoMarketError";
}

const MORPHO_ABI = ["function idToMarketParams(bytes32) view returns (address loanToken, address collateralToken, address oracle, address irm, uint256 lltv)"];
const ERC20_ABI = ["function symbol() view returns (string)"];

export interface MorphoMarketRequest {
  chainId: number;
  /** MORPHO_MARKET_ID (bytes32, validated by deploy/config.ts). */
  marketId?: string;
  /** MORPHO_ADDRESS; else the address book's (scripts/lib/deploy/addresses.ts MORPHO_BLUE). */
  morphoAddress?: string;
  /** The vault's pair on this chain (address book or MARKET_COLLATERAL_ASSET / MARKET_DEBT_ASSET). */
  collateralAsset: string;
  debtAsset: string;
  /** The pair's name for messages, e.g. "WETH/USDC" (the preset's or the configured symbols). */
  pairName: string;
}

export interface ResolvedMorphoMarket {
  morpho: string;
  id: string;
  params: MorphoMarketParams;
  /** The market's LLTV as the preflight's risk: ltvBps = liquidationThresholdBps = LLTV in bps. */
  risk: MarketRisk;
  /** What deploy/deploy-vault.ts needs beside the route: collateralAsset, debtAsset, morpho, morphoOracle, irm, lltv. */
  markets: Omit<MorphoMarketAddresses, "swapRouter" | "uniswapFactory">;
}

/** The Morpho singleton to use: MORPHO_ADDRESS, else the address book's; refuses a chain the book does not know. */
export function resolveMorphoAddress(chainId: number, override?: string): string {
  if (override) return getAddress(override);
  const known = morphoBlueAddress(chainId);
  if (!known) {
    throw new MorphoMarketError(
      `no Morpho Blue address is known for chain ${chainId}${CHAIN_NAMES[chainId] ? ` (${CHAIN_NAMES[chainId]})` : ""}: set MORPHO_ADDRESS to the Morpho Blue singleton on that chain (docs.morpho.org/developers/contracts/addresses)`,
    );
  }
  return known;
}

/** LLTV (wad) in bps, rounded down (a lower threshold is the safe side of the settings check). */
export const lltvBps = (lltv: bigint) => Number(lltv / 10n ** 14n);

const symbolOf = async (provider: Provider, token: string) => {
  try {
    return String(await new Contract(token, ERC20_ABI, provider).symbol());
  } catch {
    return "?";
  }
};

/**
 * Reads and checks the market `marketId` on the Morpho singleton (see the file comment). Throws MorphoMarketError,
 * one line, for: no MORPHO_MARKET_ID, a chain without a known Morpho (and no MORPHO_ADDRESS), an address without
 * code or that is not Morpho Blue, a market that does not exist (loan token zero), params whose id is not the one
 * asked, and a market of another pair.
 */
export async function resolveMorphoMarket(provider: Provider, req: MorphoMarketRequest): Promise<ResolvedMorphoMarket> {
  const { chainId } = req;
  if (!req.marketId) {
    throw new MorphoMarketError(
      `VAULT_VENUE=morpho on chain ${chainId} needs MORPHO_MARKET_ID=0x<64 hex digits>: the id of the Morpho Blue market of ${req.pairName} to borrow on`,
    );
  }
  const id = req.marketId.toLowerCase();
  const morpho = resolveMorphoAddress(chainId, req.morphoAddress);
  if ((await provider.getCode(morpho)) === "0x") {
    throw new MorphoMarketError(`Morpho Blue ${morpho} has no code on chain ${chainId}: check MORPHO_ADDRESS`);
  }
  let read: [string, string, string, string, bigint];
  try {
    read = (await new Contract(morpho, MORPHO_ABI, provider).idToMarketParams(id)) as unknown as typeof read;
  } catch (error) {
    throw new MorphoMarketError(
      `${morpho} on chain ${chainId} does not answer idToMarketParams(bytes32) (${(error as Error).message.split("\n")[0]}): not Morpho Blue, check MORPHO_ADDRESS`,
    );
  }
  const params: MorphoMarketParams = { loanToken: read[0], collateralToken: read[1], oracle: read[2], irm: read[3], lltv: read[4] };
  if (params.loanToken === ZeroAddress) {
    throw new MorphoMarketError(`MORPHO_MARKET_ID ${id}: no such market on Morpho Blue ${morpho} (chain ${chainId}): idToMarketParams returned a zero loan token`);
  }
  if (morphoMarketId(params).toLowerCase() !== id) {
    throw new MorphoMarketError(`MORPHO_MARKET_ID ${id}: Morpho Blue ${morpho} returned params whose id is ${morphoMarketId(params)}: not Morpho Blue, check MORPHO_ADDRESS`);
  }
  const collateralAsset = getAddress(req.collateralAsset);
  const debtAsset = getAddress(req.debtAsset);
  if (params.collateralToken !== collateralAsset || params.loanToken !== debtAsset) {
    const [c, d] = await Promise.all([symbolOf(provider, params.collateralToken), symbolOf(provider, params.loanToken)]);
    throw new MorphoMarketError(
      `MORPHO_MARKET_ID ${id} is a ${c}/${d} market (collateral ${params.collateralToken}, loan ${params.loanToken}), ` +
        `not the vault's pair ${req.pairName} on chain ${chainId} (collateral ${collateralAsset}, loan ${debtAsset}): choose a ${req.pairName} market`,
    );
  }
  const bps = lltvBps(params.lltv);
  return {
    morpho,
    id,
    params,
    risk: { ltvBps: bps, liquidationThresholdBps: bps },
    markets: { collateralAsset, debtAsset, morpho, morphoOracle: params.oracle, irm: params.irm, lltv: params.lltv },
  };
}

/** One line describing the market, for the plan and the dry run. */
export function describeMorphoMarket(m: ResolvedMorphoMarket, pairName: string): string {
  return (
    `Morpho Blue market ${m.id} on ${m.morpho}: ${pairName} (collateral ${m.params.collateralToken}, loan ${m.params.loanToken}), ` +
    `oracle ${m.params.oracle}, IRM ${m.params.irm}, LLTV ${Number(formatUnits(m.params.lltv * 100n, 18))} % (${m.risk.liquidationThresholdBps} bps)`
  );
}
