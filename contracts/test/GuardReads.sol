// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";
import {StaticReads} from "../libraries/StaticReads.sol";

/// @title GuardReads
/// @notice Benchmark double, never shipped: the on-chain guards the mission mandates for every vault action, done for
///         real and done minimally, for the floor probes' guarded builds (GuardedFloorProbes.sol). With them a
///         probe's gas is the "guarded floor": the bare protocol calls plus the mandated guards, nothing of the
///         vault's own logic (no shares, fees, sizing, sweeps, events). Configuration is immutable (the cheapest
///         place for it; the vault's feeds are immutables too) and the keeper state is one storage slot, so the
///         figure is a lower bound of what any vault doing these guards pays.
///
///         Which guards an operation runs (`GuardedOp`) follows what the vault itself reads among the mandated ones
///         (traced with debug_traceTransaction on the bench's states):
///         - oracle freshness, every operation: `latestRoundData` of the collateral feed and of the debt feed, answer
///           > 0, updatedAt neither in the future nor older than the feed's heartbeat (s). No L2 sequencer feed on L1.
///         - volatility-aware leverage (when on), only where the vault computes the target: deposit (the leverage it
///           levers to), keeper deleverage (the band it decides on) and ripcord (the target it delevers toward). The
///           variance feed's `latestRoundData` then `getRoundData` of up to `ROUNDS` previous rounds, with the
///           vault's loop and stop conditions (ChainlinkOracleAdapter._pairVariancePerSecond). A due stop decides
///           whatever the target and withdrawals never compute it: neither reads the rounds.
///         - DEX guards, the operations whose trade the keeper times (keeper deleverage, stop-loss, ripcord): the
///           pool's slot0, the observation the same-block move check reads (and the one before it when the newest
///           is of this block), the move against MAX_BLOCK_MOVE_BPS and the spot against the oracle price within
///           MAX_DEVIATION_BPS. Deposits and withdrawals trade the user's own amount at an oracle-bounded min out.
///         - keeper authorisation: one storage slot read (keeper deleverage, stop-loss; the ripcord is
///           permissionless); the cooldown is checked on the same slot and its timestamp written back on band
///           rebalances only (keeper deleverage).
///         - post-conditions: the position's collateral and debt read again after the action, and checked solvent at
///           the oracle prices (deposit, keeper deleverage, stop-loss, ripcord, refinance). A withdrawal's vault
///           does not re-read the position afterwards (it pays out of what the unwind freed).
///         Left out as the vault's own logic: the position read before the action, the market's liquidation threshold
///         and caps, the pool's liquidity scan for the trade size, the record of where a keeper trade left the pool.
abstract contract GuardReads {
    /// @notice The vault operations a probe measures, each with its mandated guards (see the contract's notice).
    enum GuardedOp {
        Deposit, // oracle, variance, position after
        Withdrawal, // oracle
        KeeperDeleverage, // keeper + cooldown (read and write), oracle, variance, pool, position after
        StopLoss, // keeper, oracle, pool, position after
        Ripcord, // oracle, variance, pool, position after
        Refinance // oracle, position after
    }

    /// @notice The guards' configuration: the vault's own feeds, heartbeats, variance rounds, pool and bounds.
    struct GuardConfig {
        IAggregatorV3 collateralFeed; // USD per whole collateral token, feed decimals
        IAggregatorV3 debtFeed; // USD per whole debt token, feed decimals
        IAggregatorV3 varianceFeed; // the pair's variance source (the collateral feed when zero)
        uint256 collateralHeartbeat; // s
        uint256 debtHeartbeat; // s
        bool volatilityAware; // the vault's volatility-aware leverage is on (a horizon): the variance is read
        uint256 rounds; // previous rounds of the variance feed read
        IUniswapV3Pool pool; // the (collateral, debt) pool the swaps go through
        uint256 maxDeviationBps; // pool spot vs oracle price, bps
        uint256 cooldown; // s between band rebalances
        address keeper; // the one authorised keeper
    }

    /// @notice The keeper allowed to call the keeper operations and the time (s) of the last band rebalance: one slot.
    struct KeeperState {
        address keeper;
        uint40 lastBandActionAt;
    }

    error GuardStale(address feed, uint256 updatedAt, uint256 heartbeat);
    error GuardInvalidAnswer(address feed, int256 answer);
    error GuardUnauthorized(address caller);
    error GuardCooldown(uint256 until);
    error GuardPoolMoved(uint256 movedBps);
    error GuardDeviation(uint256 spot, uint256 oraclePrice);
    error GuardInsolvent(uint256 collateralValue, uint256 debtValue);

    /// @notice Max same-block pool move (bps; 1 tick ~ 1 bp), the vault's MAX_BLOCK_MOVE_BPS.
    uint256 internal constant MAX_BLOCK_MOVE_BPS = 10;
    uint256 private constant BPS = 10_000;
    uint256 private constant Q96 = 2 ** 96;

    address internal immutable COLLATERAL_FEED;
    address internal immutable DEBT_FEED;
    address internal immutable VARIANCE_FEED;
    uint256 internal immutable COLLATERAL_HEARTBEAT;
    uint256 internal immutable DEBT_HEARTBEAT;
    bool internal immutable VOLATILITY_AWARE;
    uint256 internal immutable ROUNDS;
    IUniswapV3Pool internal immutable GUARD_POOL;
    uint256 internal immutable MAX_DEVIATION_BPS;
    uint256 internal immutable COOLDOWN;
    /// @dev Feed answer -> wad USD per whole token.
    uint256 private immutable COLLATERAL_FEED_SCALE;
    uint256 private immutable DEBT_FEED_SCALE;
    /// @dev Raw collateral units and raw debt units per whole token.
    uint256 private immutable COLLATERAL_UNIT;
    uint256 private immutable DEBT_UNIT;
    /// @dev wad * collateral unit / debt unit: a raw-unit pool price -> wad debt per whole collateral.
    uint256 private immutable PRICE_SCALE;
    bool private immutable COLLATERAL_IS_TOKEN0;

    /// @dev Slot 0 of every guarded build: keeper in the low 160 bits, lastBandActionAt above.
    KeeperState private _keeperState;

    /// @param collateralDecimals,debtDecimals The tokens' decimals.
    constructor(GuardConfig memory config, address collateral, address debt, uint8 collateralDecimals, uint8 debtDecimals) {
        (COLLATERAL_UNIT, DEBT_UNIT) = (10 ** collateralDecimals, 10 ** debtDecimals);
        PRICE_SCALE = 1e18 * COLLATERAL_UNIT / DEBT_UNIT;
        COLLATERAL_IS_TOKEN0 = collateral < debt;
        (COLLATERAL_FEED, DEBT_FEED) = (address(config.collateralFeed), address(config.debtFeed));
        VARIANCE_FEED = address(config.varianceFeed) == address(0) ? COLLATERAL_FEED : address(config.varianceFeed);
        (COLLATERAL_HEARTBEAT, DEBT_HEARTBEAT) = (config.collateralHeartbeat, config.debtHeartbeat);
        (VOLATILITY_AWARE, ROUNDS) = (config.volatilityAware, config.rounds);
        (GUARD_POOL, MAX_DEVIATION_BPS, COOLDOWN) = (config.pool, config.maxDeviationBps, config.cooldown);
        COLLATERAL_FEED_SCALE = 10 ** (18 - config.collateralFeed.decimals());
        DEBT_FEED_SCALE = 10 ** (18 - config.debtFeed.decimals());
        // A vault that has rebalanced before: the cooldown write replaces a non-zero timestamp.
        _keeperState = KeeperState(config.keeper, 1);
    }

    /// @dev The guards of `op` that come before its protocol calls; returns the oracle prices (wad USD per whole
    ///      collateral and debt token) for `_guardsAfter`.
    function _guardsBefore(GuardedOp op) internal returns (uint256 collateralPrice, uint256 debtPrice) {
        if (op == GuardedOp.KeeperDeleverage || op == GuardedOp.StopLoss) _keeperGuard(op == GuardedOp.KeeperDeleverage);
        collateralPrice = _read(COLLATERAL_FEED, COLLATERAL_HEARTBEAT) * COLLATERAL_FEED_SCALE;
        debtPrice = _read(DEBT_FEED, DEBT_HEARTBEAT) * DEBT_FEED_SCALE;
        if (VOLATILITY_AWARE && (op == GuardedOp.Deposit || op == GuardedOp.KeeperDeleverage || op == GuardedOp.Ripcord)) {
            _pairVariancePerSecond();
        }
        if (op == GuardedOp.KeeperDeleverage || op == GuardedOp.StopLoss || op == GuardedOp.Ripcord) {
            _poolGuard(collateralPrice * 1e18 / debtPrice);
        }
    }

    /// @dev The post-condition of `op`: the position re-read after the action and checked solvent at the oracle.
    function _guardsAfter(GuardedOp op, uint256 collateralPrice, uint256 debtPrice) internal view {
        if (op == GuardedOp.Withdrawal) return;
        (uint256 collateral, uint256 debt) = _positionBalances();
        uint256 collateralValue = Math.mulDiv(collateral, collateralPrice, COLLATERAL_UNIT);
        uint256 debtValue = Math.mulDiv(debt, debtPrice, DEBT_UNIT);
        if (debtValue > collateralValue) revert GuardInsolvent(collateralValue, debtValue);
    }

    /// @dev The probe's collateral and debt on its venue (raw units), as the vault reads its own.
    function _positionBalances() internal view virtual returns (uint256 collateral, uint256 debt);

    /// @dev One slot: the caller must be the keeper; a band rebalance must be past the cooldown and restarts it.
    function _keeperGuard(bool bandAction) private {
        KeeperState memory state = _keeperState;
        if (msg.sender != state.keeper) revert GuardUnauthorized(msg.sender);
        if (!bandAction) return;
        if (block.timestamp < uint256(state.lastBandActionAt) + COOLDOWN) {
            revert GuardCooldown(uint256(state.lastBandActionAt) + COOLDOWN);
        }
        _keeperState.lastBandActionAt = uint40(block.timestamp);
    }

    /// @dev A feed's answer (feed decimals), positive and fresh: ChainlinkOracleAdapter._read.
    function _read(address feed, uint256 heartbeat) private view returns (uint256) {
        (, int256 answer,, uint256 updatedAt) = StaticReads.latestRound(feed);
        if (answer <= 0) revert GuardInvalidAnswer(feed, answer);
        if (updatedAt > block.timestamp || block.timestamp - updatedAt > heartbeat) {
            revert GuardStale(feed, updatedAt, heartbeat);
        }
        return uint256(answer);
    }

    /// @dev ChainlinkOracleAdapter._pairVariancePerSecond with `rounds` = ROUNDS: the sum of squared simple returns
    ///      (wad) between the variance feed's last ROUNDS + 1 answers over their time span (s); the same reads and the
    ///      same stop conditions.
    function _pairVariancePerSecond() private view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 latestAt) = StaticReads.latestRound(VARIANCE_FEED);
        uint256 sumSquares;
        uint256 oldest = latestAt;
        for (uint256 i; i < ROUNDS && roundId > 1; ++i) {
            --roundId;
            (bool ok, int256 previous, uint256 updatedAt) = StaticReads.tryRound(VARIANCE_FEED, roundId);
            if (!ok || previous <= 0 || updatedAt == 0 || updatedAt > oldest) break;
            uint256 step = uint256(answer > previous ? answer - previous : previous - answer) * 1e18 / uint256(previous);
            sumSquares += step * step / 1e18;
            answer = previous;
            oldest = updatedAt;
        }
        return oldest >= latestAt ? 0 : sumSquares / (latestAt - oldest);
    }

    /// @dev The pool has not moved more than MAX_BLOCK_MOVE_BPS in this block and its spot is within
    ///      MAX_DEVIATION_BPS of `oraclePrice` (wad debt per whole collateral): UniswapV3SwapAdapter._guardReading's
    ///      reads (slot0, the newest observation, the one before it only when the newest is of this block).
    function _poolGuard(uint256 oraclePrice) private view {
        (uint160 sqrtPriceX96, int24 tick, uint16 index, uint16 cardinality,,,) = GUARD_POOL.slot0();
        (uint32 lastTime, int56 lastCumulative,,) = GUARD_POOL.observations(index);
        if (lastTime == uint32(block.timestamp)) {
            uint256 moved = type(uint256).max;
            if (cardinality > 1) {
                (uint32 prevTime, int56 prevCumulative,, bool initialized) =
                    GUARD_POOL.observations((index + cardinality - 1) % cardinality);
                if (initialized && prevTime < lastTime) {
                    int256 openTick = int256(lastCumulative - prevCumulative) / int256(uint256(lastTime - prevTime));
                    int256 delta = int256(tick) - openTick;
                    moved = uint256(delta < 0 ? -delta : delta);
                }
            }
            if (moved > MAX_BLOCK_MOVE_BPS) revert GuardPoolMoved(moved);
        }
        uint256 priceX96 = Math.mulDiv(sqrtPriceX96, sqrtPriceX96, Q96);
        uint256 spot = COLLATERAL_IS_TOKEN0 ? Math.mulDiv(priceX96, PRICE_SCALE, Q96) : Math.mulDiv(Q96, PRICE_SCALE, priceX96);
        uint256 distance = spot > oraclePrice ? spot - oraclePrice : oraclePrice - spot;
        if (distance * BPS > oraclePrice * MAX_DEVIATION_BPS) revert GuardDeviation(spot, oraclePrice);
    }
}
