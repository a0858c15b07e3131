/**
 * The WETH, USDC, WBTC and wstETH reserves of the local Aave market: initialisation through the configurator, risk
 * settings, flash-loan premiums, the ETH-correlated e-mode category, the lp's seed supply, and the reserves' aTokens
 * and debt tokens.
 */
import { ZeroAddress, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { AaveCore } from "./aave-core";
import type { Market } from "./market";
import { AAVE, addr, type ArtifactDeployer } from "./market-artifacts";
import { AAVE_SEED, EMODE_ETH, FEES, pct, RATES, RESERVE_PARAMS, TREASURY, type RateParams } from "./market-config";
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

/**
 * Initialises WETH, USDC, WBTC and wstETH (in that order) as borrowable, flash-loanable collateral, sets the
 * flash-loan premiums and puts WETH and wstETH in the ETH-correlated e-mode category.
 */
export async function initReserves(d: ArtifactDeployer, core: AaveCore, { weth, usdc, wbtc, wsteth }: MarketTokens): Promise<void> {
  // Token implementations take the pool proxy, so they come after it.
  const impls = await deployTokenImpls(d, core.poolAddress);
  const reserves: ReserveSpec[] = [
    { token: weth, symbol: "WETH", decimals: 18, risk: RESERVE_PARAMS.WETH, rates: RATES.WETH },
    { token: usdc, symbol: "USDC", decimals: 6, risk: RESERVE_PARAMS.USDC, rates: RATES.USDC },
    { token: wbtc, symbol: "WBTC", decimals: 8, risk: RESERVE_PARAMS.WBTC, rates: RATES.WBTC },
    { token: wsteth, symbol: "wstETH", decimals: 18, risk: RESERVE_PARAMS.wstETH, rates: RATES.wstETH },
  ];
  for (const r of reserves) {
    const strategy = await deployRateStrategy(d, core.provider, r.rates);
    // One reserve per transaction: ~2.3M gas each, and osaka caps a transaction at 16.7M gas.
    await (await core.configurator.initReserves([reserveInput(r, impls, addr(strategy))])).wait();
    await enableReserve(core.configurator, addr(r.token), r.risk);
  }
  await (await core.configurator.updateFlashloanPremiumTotal(FEES.flashLoanPremiumBps)).wait();
  await (await core.configurator.updateFlashloanPremiumToProtocol(FEES.flashLoanPremiumToProtocolBps)).wait();
  await configureEthEMode(core.configurator, [addr(weth), addr(wsteth)]);
}

/**
 * E-mode category EMODE_ETH (id 1, "ETH correlated": LTV 93 %, LT 95 %, bonus 1 %, no category oracle, so assets keep
 * their AaveOracle prices) through the real PoolConfigurator; each asset's own LT must not exceed the category's.
 */
async function configureEthEMode(configurator: Contract, assets: string[]): Promise<void> {
  const { id, ltv, liquidationThreshold, liquidationBonus, label } = EMODE_ETH;
  await (await configurator.setEModeCategory(id, ltv, liquidationThreshold, liquidationBonus, ZeroAddress, label)).wait();
  for (const asset of assets) await (await configurator.setAssetEModeCategory(asset, id)).wait();
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
export async function seedAaveLiquidity(core: AaveCore, lp: HardhatEthersSigner, tokens: MarketTokens): Promise<void> {
  const { weth, usdc, wbtc, wsteth } = tokens;
  const seeds = [[weth, AAVE_SEED.weth], [usdc, AAVE_SEED.usdc], [wbtc, AAVE_SEED.wbtc], [wsteth, AAVE_SEED.wsteth]] as const;
  for (const [token, amount] of seeds) {
    await mint(token, lp.address, amount);
    await approveMax(token, lp, core.poolAddress);
    await (await core.pool.connect(lp).supply(addr(token), amount, lp.address, 0)).wait();
  }
}

/** The reserves' aTokens and variable debt tokens, attached from the data provider's addresses. */
export async function reserveTokens(
  d: ArtifactDeployer,
  dataProvider: Contract,
  { weth, usdc, wbtc, wsteth }: MarketTokens,
): Promise<Pick<Market, ReserveTokenField>> {
  const [w, u, b, s] = await Promise.all(
    [weth, usdc, wbtc, wsteth].map((token) => dataProvider.getReserveTokensAddresses(addr(token))),
  );
  const aToken = (t: { aTokenAddress: string }) => d.at(A_TOKEN, t.aTokenAddress);
  const debt = (t: { variableDebtTokenAddress: string }) => d.at(VARIABLE_DEBT_TOKEN, t.variableDebtTokenAddress);
  return {
    aWETH: aToken(w), aUSDC: aToken(u), aWBTC: aToken(b), aWstETH: aToken(s),
    variableDebtWETH: debt(w), variableDebtUSDC: debt(u), variableDebtWBTC: debt(b), variableDebtWstETH: debt(s),
  };
}

type ReserveTokenField =
  | "aWETH" | "aUSDC" | "aWBTC" | "aWstETH"
  | "variableDebtWETH" | "variableDebtUSDC" | "variableDebtWBTC" | "variableDebtWstETH";
