/**
 * The WETH and USDC reserves of the local Aave market: initialisation through the configurator, risk settings,
 * flash-loan premiums, the lp's seed supply, and the reserves' aTokens and debt tokens.
 */
import { ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AaveCore } from "./aave-core";
import type { Market } from "./market";
import { AAVE, addr, type ArtifactDeployer } from "./market-artifacts";
import { AAVE_SEED, FEES, pct, RATES, RESERVE_PARAMS, TREASURY, type RateParams } from "./market-config";
import { approveMax, mint, type MarketTokens } from "./market-tokens";

interface ReserveSpec {
  token: Contract;
  symbol: string;
  decimals: number;
  risk: (typeof RESERVE_PARAMS)[keyof typeof RESERVE_PARAMS];
  rates: RateParams;
}

/** Implementations shared by both reserves (each reserve gets its own proxies). */
interface TokenImpls {
  aTokenImpl: string;
  stableDebtImpl: string;
  variableDebtImpl: string;
}

const A_TOKEN = `${AAVE}/protocol/tokenization/AToken.sol/AToken`;
const VARIABLE_DEBT_TOKEN = `${AAVE}/protocol/tokenization/VariableDebtToken.sol/VariableDebtToken`;

/** AaveProtocolDataProvider, registered with the provider (reserve token addresses and configuration). */
export async function deployDataProvider(d: ArtifactDeployer, provider: Contract): Promise<Contract> {
  const dataProvider = await d.deploy(`${AAVE}/misc/AaveProtocolDataProvider.sol/AaveProtocolDataProvider`, [
    addr(provider),
  ]);
  await (await provider.setPoolDataProvider(addr(dataProvider))).wait();
  return dataProvider;
}

/** Initialises WETH then USDC as borrowable, flash-loanable collateral, then sets the flash-loan premiums. */
export async function initReserves(d: ArtifactDeployer, core: AaveCore, { weth, usdc }: MarketTokens): Promise<void> {
  // Token implementations take the pool proxy, so they come after it.
  const impls = await deployTokenImpls(d, core.poolAddress);
  const reserves: ReserveSpec[] = [
    { token: weth, symbol: "WETH", decimals: 18, risk: RESERVE_PARAMS.WETH, rates: RATES.WETH },
    { token: usdc, symbol: "USDC", decimals: 6, risk: RESERVE_PARAMS.USDC, rates: RATES.USDC },
  ];
  for (const r of reserves) {
    const strategy = await deployRateStrategy(d, core.provider, r.rates);
    // One reserve per transaction: ~2.3M gas each, and osaka caps a transaction at 16.7M gas.
    await (await core.configurator.initReserves([reserveInput(r, impls, addr(strategy))])).wait();
    await enableReserve(core.configurator, addr(r.token), r.risk);
  }
  await (await core.configurator.updateFlashloanPremiumTotal(FEES.flashLoanPremiumBps)).wait();
  await (await core.configurator.updateFlashloanPremiumToProtocol(FEES.flashLoanPremiumToProtocolBps)).wait();
}

async function deployTokenImpls(d: ArtifactDeployer, poolAddress: string): Promise<TokenImpls> {
  const tokenImpl = (name: string) => d.deploy(`${AAVE}/protocol/tokenization/${name}.sol/${name}`, [poolAddress]);
  const aTokenImpl = addr(await tokenImpl("AToken"));
  const stableDebtImpl = addr(await tokenImpl("StableDebtToken"));
  const variableDebtImpl = addr(await tokenImpl("VariableDebtToken"));
  return { aTokenImpl, stableDebtImpl, variableDebtImpl };
}

/** Stable borrowing is off, so its four parameters stay 0; the last is the optimal stable-to-total debt ratio. */
function deployRateStrategy(d: ArtifactDeployer, provider: Contract, { optimal, base, slope1, slope2 }: RateParams) {
  return d.deploy(`${AAVE}/protocol/pool/DefaultReserveInterestRateStrategy.sol/DefaultReserveInterestRateStrategy`, [
    addr(provider), optimal, base, slope1, slope2, 0n, 0n, 0n, 0n, pct(20),
  ]);
}

/** The configurator's InitReserveInput for one reserve ("Aave Local" names, no incentives). */
function reserveInput(r: ReserveSpec, impls: TokenImpls, interestRateStrategyAddress: string) {
  return {
    aTokenImpl: impls.aTokenImpl,
    stableDebtTokenImpl: impls.stableDebtImpl,
    variableDebtTokenImpl: impls.variableDebtImpl,
    underlyingAssetDecimals: r.decimals,
    interestRateStrategyAddress,
    underlyingAsset: addr(r.token),
    treasury: TREASURY,
    incentivesController: ZeroAddress,
    aTokenName: `Aave Local ${r.symbol}`,
    aTokenSymbol: `aLoc${r.symbol}`,
    variableDebtTokenName: `Aave Local Variable Debt ${r.symbol}`,
    variableDebtTokenSymbol: `variableDebtLoc${r.symbol}`,
    stableDebtTokenName: `Aave Local Stable Debt ${r.symbol}`,
    stableDebtTokenSymbol: `stableDebtLoc${r.symbol}`,
    params: "0x",
  };
}

/** initReserves leaves borrowing and flash loans off: switch them on explicitly. Caps stay 0 (= none). */
async function enableReserve(configurator: Contract, asset: string, risk: ReserveSpec["risk"]): Promise<void> {
  const { ltv, liquidationThreshold, liquidationBonus, reserveFactor } = risk;
  await (await configurator.configureReserveAsCollateral(asset, ltv, liquidationThreshold, liquidationBonus)).wait();
  await (await configurator.setReserveBorrowing(asset, true)).wait();
  await (await configurator.setReserveFlashLoaning(asset, true)).wait();
  await (await configurator.setReserveFactor(asset, reserveFactor)).wait();
}

/** The lp mints and supplies the seed liquidity, so that vaults can borrow. */
export async function seedAaveLiquidity(core: AaveCore, lp: HardhatEthersSigner, { weth, usdc }: MarketTokens): Promise<void> {
  for (const [token, amount] of [[weth, AAVE_SEED.weth], [usdc, AAVE_SEED.usdc]] as const) {
    await mint(token, lp.address, amount);
    await approveMax(token, lp, core.poolAddress);
    await (await core.pool.connect(lp).supply(addr(token), amount, lp.address, 0)).wait();
  }
}

/** The reserves' aTokens and variable debt tokens, attached from the data provider's addresses. */
export async function reserveTokens(
  d: ArtifactDeployer,
  dataProvider: Contract,
  { weth, usdc }: MarketTokens,
): Promise<Pick<Market, "aWETH" | "aUSDC" | "variableDebtWETH" | "variableDebtUSDC">> {
  const wethTokens = await dataProvider.getReserveTokensAddresses(addr(weth));
  const usdcTokens = await dataProvider.getReserveTokensAddresses(addr(usdc));
  return {
    aWETH: d.at(A_TOKEN, wethTokens.aTokenAddress),
    aUSDC: d.at(A_TOKEN, usdcTokens.aTokenAddress),
    variableDebtWETH: d.at(VARIABLE_DEBT_TOKEN, wethTokens.variableDebtTokenAddress),
    variableDebtUSDC: d.at(VARIABLE_DEBT_TOKEN, usdcTokens.variableDebtTokenAddress),
  };
}
