/**
 * Morpho Blue beside Aave on the local market: the real Morpho Blue 1.0.0 bytecode, compiled from the npm package
 * @morpho-org/morpho-blue with solc 0.8.19 (contracts/test/morpho/MorphoBlue.sol imports it; nothing is copied),
 * Morpho's linear interest-rate model (IrmMock: borrow APR = utilisation, named as what it is), an `IOracle` on the
 * same Chainlink-style feeds the vaults read, and two isolated markets seeded by the lp:
 *   - WETH collateral / USDC loan, LLTV 86 %;
 *   - wstETH collateral / WETH loan, LLTV 94.5 %.
 * Deployed on demand (`deployMorpho(market)`), not by every `deployMarket`: most tests never touch Morpho.
 */
import { MaxUint256, keccak256, AbiCoder, type Contract } from "ethers";
import type { Market } from "./market";
import { approveMax, mint } from "./market-tokens";

export const MORPHO_LLTV = { wethUsdc: 86n * 10n ** 16n, wstethWeth: 945n * 10n ** 15n } as const;
/** Seed supply by the lp to each market's loan side (raw units). */
export const MORPHO_SEED = { usdc: 20_000_000n * 10n ** 6n, weth: 10_000n * 10n ** 18n } as const;

/** Morpho's MarketParams; its id is keccak256 of the ABI-encoded struct. */
export interface MorphoMarketParams {
  loanToken: string;
  collateralToken: string;
  oracle: string;
  irm: string;
  lltv: bigint;
}

export interface MorphoBlue {
  morpho: Contract;
  irm: Contract;
  markets: { wethUsdc: MorphoMarketParams; wstethWeth: MorphoMarketParams };
  oracles: { wethUsdc: Contract; wstethWeth: Contract };
}

/** Morpho's market id: keccak256(abi.encode(params)). */
export function morphoMarketId(p: MorphoMarketParams): string {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(["address", "address", "address", "address", "uint256"], [p.loanToken, p.collateralToken, p.oracle, p.irm, p.lltv]),
  );
}

const MORPHO = "@morpho-org/morpho-blue/src/Morpho.sol:Morpho";
const IRM = "@morpho-org/morpho-blue/src/mocks/IrmMock.sol:IrmMock";
const ORACLE = "contracts/test/morpho/ChainlinkMorphoOracle.sol:ChainlinkMorphoOracle";

/** Deploys Morpho Blue (owner: the market's deployer), enables the IRM and both LLTVs, creates and seeds the markets. */
export async function deployMorpho(ethers: typeof import("hardhat")["ethers"], market: Market): Promise<MorphoBlue> {
  const { deployer, lp } = market;
  const deploy = async (name: string, args: unknown[] = []) => {
    const contract = await (await ethers.getContractFactory(name, deployer)).deploy(...args);
    await contract.waitForDeployment();
    return contract as unknown as Contract;
  };
  const morpho = await deploy(MORPHO, [deployer.address]);
  const irm = await deploy(IRM);
  const oracles = {
    wethUsdc: await deploy(ORACLE, [market.ethUsdFeed.target, market.usdcUsdFeed.target, 18, 6]),
    wstethWeth: await deploy(ORACLE, [market.wstethUsdFeed.target, market.ethUsdFeed.target, 18, 18]),
  };
  const params = (loan: Contract, collateral: Contract, oracle: Contract, lltv: bigint): MorphoMarketParams => ({
    loanToken: loan.target as string,
    collateralToken: collateral.target as string,
    oracle: oracle.target as string,
    irm: irm.target as string,
    lltv,
  });
  const markets = {
    wethUsdc: params(market.usdc, market.weth, oracles.wethUsdc, MORPHO_LLTV.wethUsdc),
    wstethWeth: params(market.weth, market.wsteth, oracles.wstethWeth, MORPHO_LLTV.wstethWeth),
  };
  await (await morpho.enableIrm(irm.target)).wait();
  for (const lltv of Object.values(MORPHO_LLTV)) await (await morpho.enableLltv(lltv)).wait();
  for (const p of Object.values(markets)) await (await morpho.createMarket(p)).wait();

  const lpMorpho = morpho.connect(lp) as Contract;
  for (const [token, p, amount] of [
    [market.usdc, markets.wethUsdc, MORPHO_SEED.usdc],
    [market.weth, markets.wstethWeth, MORPHO_SEED.weth],
  ] as const) {
    await mint(token, lp.address, amount);
    await approveMax(token, lp, morpho.target as string);
    await (await lpMorpho.supply(p, amount, 0n, lp.address, "0x")).wait();
  }
  // The liquidator repays either loan token on Morpho.
  for (const token of [market.usdc, market.weth]) {
    await (await (token.connect(market.liquidator) as Contract).approve(morpho.target, MaxUint256)).wait();
  }
  return { morpho, irm, markets, oracles };
}
