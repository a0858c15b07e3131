/**
 * Peer strategies replayed beside the managed vault, on the same real Aave V3 + Uniswap V3 market, by the same
 * liquidators, after the same latency: each peer is a `PeerPosition` (contracts/test/peers/, a test-only contract that
 * only executes what it is told) holding WETH on Aave and owing USDC, driven by an executor written here from the
 * peer's published rules. The executor reads what the peer's own contracts or bots read (the Chainlink answer through
 * Aave's oracle, Aave's account data, the pool's quote), decides when and how much as they do, and sends real
 * transactions; Aave, Uniswap and the liquidators do the rest. Rules and sources: docs/PROTECTION.md, "Peers".
 *
 * - `fli`: Index Coop's FlexibleLeverageStrategyExtension methodology (ETH2x-FLI), Aave flavour
 *   (AaveLeverageStrategyExtension: delever bounded by the liquidation threshold), scaled to the vault's nominal
 *   leverage. Normal rebalance once the 1-day interval has passed or at once outside the band, to
 *   max(min, min(max, L (1 - speed) + target speed)); chunks of at most twapMaxTradeSize (TWAP) continued by
 *   iterateRebalance after its cooldown unless the price moved its way; ripcord above the incentivised ratio, back to
 *   the band top, with its own larger chunk, looser slippage, 1 s cooldown and an ETH reward paid to the caller.
 * - `dfs`: DeFi Saver Aave V3 automation: its ratio is Aave's (debt + available borrows) / debt (AaveV3RatioHelper
 *   getSafetyRatio, i.e. collateral x LTV / debt); repay when the ratio falls under the repay trigger, boost when it
 *   rises over the boost trigger, each back to the target ratio in one transaction (repay by flash loan), checked at
 *   every price update (the bots' cadence), with the service fee (0.25 % of the swapped amount) and the automation fee
 *   (0.05 %) taken from the position.
 */
import { formatUnits, parseUnits, type Contract } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Market } from "../market/market";
import { RESERVE_PARAMS, FEES } from "../market/market";
import { fund } from "../market/market-helpers";
import { sqrtX96ToPriceE8 } from "../market/price-math";
import type { ErrorDecoder } from "./errors";

export type PeerName = "fli" | "dfs";
export const PEER_NAMES: readonly PeerName[] = ["fli", "dfs"];
export const PEER_LABELS: Record<PeerName, string> = {
  fli: "Index Coop FLI methodology",
  dfs: "DeFi Saver automation",
};

const LTV = Number(RESERVE_PARAMS.WETH.ltv) / 10_000;
const LT = Number(RESERVE_PARAMS.WETH.liquidationThreshold) / 10_000;
/** Receives DeFi Saver's fees. */
export const PEER_FEE_RECIPIENT = "0x000000000000000000000000000000000000df5e";
const FIXED_GAS = 3_000_000n;

/** FLI methodology, execution and incentive settings, leverage ratios plain numbers, trade sizes in WETH. */
export interface FliParams {
  targetLeverage: number;
  minLeverage: number;
  maxLeverage: number;
  /** Fraction of the way to the target each normal rebalance goes (0.05 = 5 %). */
  recenteringSpeed: number;
  /** Seconds between normal rebalances inside the band. */
  rebalanceInterval: number;
  /** Share of Aave's borrow / repay limit left unused when sizing a chunk. */
  unutilizedLeverage: number;
  twapMaxTradeSize: number;
  twapCooldown: number;
  /** Fraction below the oracle value accepted on a normal rebalance. */
  slippage: number;
  incentivizedLeverage: number;
  incentivizedTwapMaxTradeSize: number;
  incentivizedTwapCooldown: number;
  incentivizedSlippage: number;
  /** ETH paid to the ripcord caller by the extension (operator-funded, not by the position). */
  etherReward: number;
}

/** DeFi Saver Aave V3 automation settings; ratios are Aave's (debt + available borrows) / debt. */
export interface DfsParams {
  targetRatio: number;
  repayBelow: number;
  boostAbove: number;
  /** Leverage at those ratios (for the reports). */
  targetLeverage: number;
  repayAtLeverage: number;
  boostAtLeverage: number;
  /** Service fee (0.25 %) plus automation fee (0.05 %) on the swapped amount, bps. */
  feeBps: number;
  /** Slippage the bot accepts against the pool's quote when it sends the recipe. */
  slippage: number;
}

export interface PeerParams {
  fli: FliParams;
  dfs: DfsParams;
}

const r4 = (x: number) => Number(x.toFixed(4));
/** DeFi Saver's Aave ratio of a position held at `leverage`: LTV x C / D = LTV x L / (L - 1). */
export const dfsRatioAt = (leverage: number) => (LTV * leverage) / (leverage - 1);
/** The leverage at a DeFi Saver ratio: the inverse of dfsRatioAt. */
export const leverageAtDfsRatio = (ratio: number) => ratio / (ratio - LTV);

/**
 * The peers' settings at `leverage` (the vault's nominal target). FLI: the ETH2x-FLI ratios scaled by leverage / 2
 * (2x / 1.7x / 2.3x / ripcord 2.7x -> 3x / 2.55x / 3.45x / 4.05x at 3x); its max trade sizes are the vault's
 * (`maxTradeSizeUsd` at the first price) and twice that for the ripcord (the 1:2 ratio of every published FLI
 * exchange setting). DFS: target ratio = the ratio at the nominal leverage, repay 5 % under it, boost 8 % over it.
 */
export function peerParams(leverage: number, firstPrice: number, maxTradeSizeUsd: number): PeerParams {
  const k = leverage / 2;
  const maxTrade = maxTradeSizeUsd / firstPrice;
  const targetRatio = dfsRatioAt(leverage);
  const repayBelow = targetRatio * 0.95;
  const boostAbove = targetRatio * 1.08;
  return {
    fli: {
      targetLeverage: leverage,
      minLeverage: r4(1.7 * k),
      maxLeverage: r4(2.3 * k),
      recenteringSpeed: 0.05,
      rebalanceInterval: 86_400,
      unutilizedLeverage: 0.01,
      twapMaxTradeSize: r4(maxTrade),
      twapCooldown: 30,
      slippage: 0.02,
      incentivizedLeverage: r4(2.7 * k),
      incentivizedTwapMaxTradeSize: r4(2 * maxTrade),
      incentivizedTwapCooldown: 1,
      incentivizedSlippage: 0.05,
      etherReward: 1,
    },
    dfs: {
      targetRatio: r4(targetRatio),
      repayBelow: r4(repayBelow),
      boostAbove: r4(boostAbove),
      targetLeverage: leverage,
      repayAtLeverage: r4(leverageAtDfsRatio(repayBelow)),
      boostAtLeverage: r4(leverageAtDfsRatio(boostAbove)),
      feeBps: 30,
      slippage: 0.01,
    },
  };
}

/** One peer transaction (or a decision that could not be sent). */
/** What one keeper transaction did to a position, the vault's or a peer's (backtest reports). */
export interface ActionFigures {
  row: number;
  /** Unix seconds on the path's clock (CSV time) at which the keeper acted. */
  timestamp: number;
  gas: number;
  leverageBefore: number | null;
  leverageAfter: number | null;
  healthFactorBefore: number;
  healthFactorAfter: number;
  /** USD of equity the transaction cost at oracle prices (price impact, pool fee, service fees, flash premium). */
  equityCost: number;
  /** Paid to the caller: collateral units for the vault's ripcord, ETH from the FLI extension (not the position). */
  reward?: number;
}

export interface PeerAction extends ActionFigures {
  peer: PeerName;
  price: number;
  /** FLI: Rebalance, Iterate, Ripcord; DFS: Repay, Boost. */
  action: string;
  call: string;
}

export interface PeerFailure {
  peer: PeerName;
  row: number;
  timestamp: number;
  price: number;
  action: string;
  stage: "simulation" | "sent" | "limit";
  error: string;
}

/** A peer's position read from Aave (oracle prices) and its idle balances. */
export interface PeerState {
  /** USD at the Aave oracle. */
  collateralValue: number;
  debtValue: number;
  /** WETH supplied (aWETH). */
  collateral: number;
  oraclePrice: number;
  healthFactor: number;
  leverage: number | null;
  equity: number;
  /** Aave's availableBorrowsBase, USD. */
  availableBorrows: number;
}

interface Moment {
  row: number;
  timestamp: number;
  price: number;
}

export interface PeerContext {
  hre: HardhatRuntimeEnvironment;
  market: Market;
  decode: ErrorDecoder;
  /** Seconds per block: in-pass chunks are spaced by one block for the cooldowns. */
  blockTime: number;
  /** Calls per peer and pass (the same cap as the managed vault's keeper). */
  maxCalls: number;
  hfCap: number;
}

const usd = (base: bigint) => Number(base) / 1e8;
const weth = (x: bigint) => Number(formatUnits(x, 18));
const toWeth = (x: number) => parseUnits(Math.max(0, x).toFixed(18), 18);
const toUsdc = (x: number) => parseUnits(Math.max(0, x).toFixed(6), 6);

/** A peer's position and executor. */
export abstract class Peer {
  readonly actions: PeerAction[] = [];
  readonly failures: PeerFailure[] = [];

  constructor(
    readonly name: PeerName,
    readonly position: Contract,
    readonly owner: HardhatEthersSigner,
    protected readonly ctx: PeerContext,
  ) {}

  get address(): string {
    return this.position.target as string;
  }

  async state(): Promise<PeerState> {
    const { market } = this.ctx;
    const [account, aWeth, idleWeth, idleUsdc, price] = await Promise.all([
      market.pool.getUserAccountData(this.address),
      market.aWETH.balanceOf(this.address) as Promise<bigint>,
      market.weth.balanceOf(this.address) as Promise<bigint>,
      market.usdc.balanceOf(this.address) as Promise<bigint>,
      market.aaveOracle.getAssetPrice(market.weth.target) as Promise<bigint>,
    ]);
    const oraclePrice = usd(price);
    const collateralValue = usd(account.totalCollateralBase);
    const debtValue = usd(account.totalDebtBase);
    const gross = collateralValue + weth(idleWeth) * oraclePrice + Number(formatUnits(idleUsdc, 6));
    const equity = Math.max(0, gross - debtValue);
    const hf = account.totalDebtBase === 0n ? this.ctx.hfCap : Math.min(this.ctx.hfCap, Number(formatUnits(account.healthFactor, 18)));
    return {
      collateralValue, debtValue, collateral: weth(aWeth), oraclePrice, healthFactor: hf,
      leverage: equity > 0 ? gross / equity : null, equity, availableBorrows: usd(account.availableBorrowsBase),
    };
  }

  /** The pool's spot price (USD per ETH): what a bot's quote starts from. */
  protected async poolPrice(): Promise<number> {
    const { market } = this.ctx;
    const { sqrtPriceX96 } = await market.uniPool500.slot0();
    return Number(sqrtX96ToPriceE8(sqrtPriceX96, market.wethIsToken0)) / 1e8;
  }

  /** Simulates, sends and records one call; false when it failed (recorded). */
  protected async send(moment: Moment, action: string, call: "lever" | "delever" | "deleverFlash", args: bigint[], reward?: number): Promise<boolean> {
    const before = await this.state();
    const fn = (this.position.connect(this.owner) as Contract).getFunction(call);
    try {
      await fn.staticCall(...args, { gasLimit: FIXED_GAS });
    } catch (error) {
      this.failures.push({ peer: this.name, ...moment, action, stage: "simulation", error: this.ctx.decode(error) });
      return false;
    }
    let gas = 0;
    try {
      const receipt = await (await fn(...args, { gasLimit: FIXED_GAS })).wait();
      gas = Number(receipt!.gasUsed);
    } catch (error) {
      this.failures.push({ peer: this.name, ...moment, action, stage: "sent", error: this.ctx.decode(error) });
      return false;
    }
    const after = await this.state();
    this.actions.push({
      peer: this.name, ...moment, action, call, gas,
      leverageBefore: before.leverage, leverageAfter: after.leverage,
      healthFactorBefore: before.healthFactor, healthFactorAfter: after.healthFactor,
      equityCost: before.equity - after.equity,
      ...(reward !== undefined ? { reward } : {}),
    });
    return true;
  }

  /** One pass of the peer's executor after a price update, at chain time `now` (the next block's timestamp). */
  abstract pass(moment: Moment, now: number): Promise<void>;

  /** Builds the starting position: `depositWeth` supplied, levered to `leverage` with plain lever calls (no fees). */
  async open(depositWeth: number, leverage: number): Promise<void> {
    const { market } = this.ctx;
    const amount = toWeth(depositWeth);
    await fund(market, this.owner.address, { weth: amount });
    await (await (market.weth.connect(this.owner) as Contract).getFunction("approve")(this.address, amount)).wait();
    await (await (this.position.connect(this.owner) as Contract).getFunction("deposit")(amount)).wait();
    for (let i = 0; i < 20; i++) {
      const s = await this.state();
      if (s.leverage === null || s.leverage >= leverage * 0.999) break;
      // Debt at the target: D = C (1 - 1/L) with C grown by what the borrowed USDC buys (at the oracle price).
      const need = (s.equity * leverage - s.collateralValue) ;
      const borrow = Math.min(need, s.availableBorrows * 0.99);
      if (borrow < 1) break;
      await (await (this.position.connect(this.owner) as Contract).getFunction("lever")(toUsdc(borrow), 0n, 0n, { gasLimit: FIXED_GAS })).wait();
    }
  }
}

/** Index Coop FlexibleLeverageStrategyExtension (Aave flavour), one keeper calling shouldRebalance()'s answer. */
export class FliPeer extends Peer {
  /** exchangeLastTradeTimestamp = globalLastTradeTimestamp (one exchange). */
  lastTrade = 0;
  /** Target of a TWAP in progress, 0 when none. */
  twapLeverage = 0;

  constructor(position: Contract, owner: HardhatEthersSigner, ctx: PeerContext, readonly params: FliParams) {
    super("fli", position, owner, ctx);
  }

  /** CLR' = max(min, min(max, CLR (1 - RS) + TLR RS)). */
  newLeverage(current: number): number {
    const p = this.params;
    return Math.max(p.minLeverage, Math.min(p.maxLeverage, current * (1 - p.recenteringSpeed) + p.targetLeverage * p.recenteringSpeed));
  }

  /** _calculateChunkRebalanceNotional: [chunk, total] in WETH; chunk < 0 when Aave's limit is already exceeded. */
  chunk(s: PeerState, target: number, lever: boolean, maxTrade: number): [number, number] {
    const current = s.leverage ?? Infinity;
    const total = (Math.abs(target - current) / current) * s.collateral;
    const u = 1 - this.params.unutilizedLeverage;
    const maxBorrow = lever
      ? (s.collateralValue * LTV * u - s.debtValue) / s.oraclePrice
      : (s.collateral * (s.collateralValue * LT * u - s.debtValue)) / (s.collateralValue * LT * u);
    return [Math.min(maxBorrow, total, maxTrade), total];
  }

  async pass(moment: Moment, now: number): Promise<void> {
    const p = this.params;
    for (let k = 0; k < this.ctx.maxCalls; k++) {
      const t = now + k * this.ctx.blockTime;
      const s = await this.state();
      if (s.debtValue === 0 || s.leverage === null) return;
      const L = s.leverage;
      if (L >= p.incentivizedLeverage) {
        // ripcord(): anyone, once lastTrade + incentivizedTwapCooldown < now; back toward the band top.
        if (!(this.lastTrade + p.incentivizedTwapCooldown < t)) return;
        const [chunk] = this.chunk(s, p.maxLeverage, false, p.incentivizedTwapMaxTradeSize);
        if (!(await this.delever(moment, "Ripcord", s, chunk, p.incentivizedSlippage, p.etherReward))) return;
        this.lastTrade = t;
        this.twapLeverage = 0;
        continue;
      }
      if (this.twapLeverage > 0) {
        // iterateRebalance(): after the TWAP cooldown.
        if (!(this.lastTrade + p.twapCooldown < t)) return;
        const advantageous =
          (this.twapLeverage < p.targetLeverage && L >= this.twapLeverage) || (this.twapLeverage > p.targetLeverage && L <= this.twapLeverage);
        if (advantageous) {
          // The price did the work: the TWAP state is cleared (a transaction without a trade; not sent here).
          this.twapLeverage = 0;
          this.lastTrade = t;
          return;
        }
        const lever = this.twapLeverage > L;
        const [chunk, total] = this.chunk(s, this.twapLeverage, lever, p.twapMaxTradeSize);
        const ok = lever ? await this.lever(moment, "Iterate", s, chunk, p.slippage) : await this.delever(moment, "Iterate", s, chunk, p.slippage);
        if (!ok) return;
        this.lastTrade = t;
        if (chunk >= total) this.twapLeverage = 0;
        continue;
      }
      // rebalance(): once the interval has passed, or at once outside the band.
      if (!(t - this.lastTrade > p.rebalanceInterval || L > p.maxLeverage || L < p.minLeverage)) return;
      const target = this.newLeverage(L);
      const lever = target > L;
      const [chunk, total] = this.chunk(s, target, lever, p.twapMaxTradeSize);
      const ok = lever ? await this.lever(moment, "Rebalance", s, chunk, p.slippage) : await this.delever(moment, "Rebalance", s, chunk, p.slippage);
      if (!ok) return;
      this.lastTrade = t;
      if (chunk < total) this.twapLeverage = target;
      // A rebalance that completed leaves nothing due until the interval or the band says so.
    }
  }

  /** AaveLeverageModule.lever: borrow chunk x price USDC, receive at least chunk x (1 - slippage) WETH. */
  private async lever(moment: Moment, action: string, s: PeerState, chunk: number, slippage: number): Promise<boolean> {
    if (!this.sizeOk(moment, action, chunk)) return false;
    return this.send(moment, action, "lever", [toUsdc(chunk * s.oraclePrice), toWeth(chunk * (1 - slippage)), 0n]);
  }

  /** AaveLeverageModule.delever: withdraw chunk WETH, repay at least chunk x price x (1 - slippage) USDC. */
  private async delever(moment: Moment, action: string, s: PeerState, chunk: number, slippage: number, reward?: number): Promise<boolean> {
    if (!this.sizeOk(moment, action, chunk)) return false;
    return this.send(moment, action, "delever", [toWeth(chunk), toUsdc(chunk * s.oraclePrice * (1 - slippage)), 0n], reward);
  }

  /** The extension's SafeMath reverts when Aave's limit (less the unutilised share) is already used up. */
  private sizeOk(moment: Moment, action: string, chunk: number): boolean {
    if (chunk > 1e-6) return true;
    this.failures.push({
      peer: this.name, ...moment, action, stage: "limit",
      error: "ChunkZero: Aave limit less the unutilised leverage share already used (the extension's SafeMath reverts)",
    });
    return false;
  }
}

/** DeFi Saver Aave V3 repay / boost automation, one recipe transaction per trigger. */
export class DfsPeer extends Peer {
  constructor(position: Contract, owner: HardhatEthersSigner, ctx: PeerContext, readonly params: DfsParams) {
    super("dfs", position, owner, ctx);
  }

  /** AaveV3RatioHelper.getSafetyRatio: (debt + available borrows) / debt. */
  static ratio(s: PeerState): number {
    return s.debtValue === 0 ? Infinity : (s.debtValue + s.availableBorrows) / s.debtValue;
  }

  async pass(moment: Moment): Promise<void> {
    const p = this.params;
    const s = await this.state();
    if (s.debtValue === 0) return;
    const ratio = DfsPeer.ratio(s);
    // USD of debt to repay (< 0: to borrow) to reach the target ratio: (C - x) LTV / (D - x) = target.
    const x = (p.targetRatio * s.debtValue - LTV * s.collateralValue) / (p.targetRatio - LTV);
    const quote = await this.poolPrice();
    if (ratio < p.repayBelow && x > 0) {
      const premium = (x * Number(FEES.flashLoanPremiumBps)) / 10_000;
      const fee = (x * p.feeBps) / 10_000;
      const maxWethIn = Math.min(s.collateral, ((x + premium + fee) / quote) * (1 + p.slippage));
      await this.send(moment, "Repay", "deleverFlash", [toUsdc(x), toWeth(maxWethIn), BigInt(p.feeBps)]);
    } else if (ratio > p.boostAbove && x < 0) {
      const borrow = -x;
      await this.send(moment, "Boost", "lever", [toUsdc(borrow), toWeth((borrow / quote) * (1 - p.slippage)), BigInt(p.feeBps)]);
    }
  }
}

/** Deploys the peers' positions (owners: `owners`, one each) and opens them at `leverage`. */
export async function createPeers(
  ctx: PeerContext,
  owners: HardhatEthersSigner[],
  params: PeerParams,
  opts: { depositWeth: number; leverage: number; swapFee: number },
): Promise<Peer[]> {
  const { market, hre } = ctx;
  const factory = await hre.ethers.getContractFactory("PeerPosition", market.deployer);
  const peers: Peer[] = [];
  for (const [i, name] of PEER_NAMES.entries()) {
    const owner = owners[i];
    const position = (await factory.deploy(
      market.pool.target, market.swapRouter.target, market.weth.target, market.usdc.target, opts.swapFee, owner.address, PEER_FEE_RECIPIENT,
    )) as unknown as Contract;
    await position.waitForDeployment();
    const peer = name === "fli" ? new FliPeer(position, owner, ctx, params.fli) : new DfsPeer(position, owner, ctx, params.dfs);
    await peer.open(opts.depositWeth, opts.leverage);
    peers.push(peer);
  }
  return peers;
}
