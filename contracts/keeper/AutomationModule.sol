// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {LeverageEngine} from "../vault/LeverageEngine.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {RiskPolicy} from "../risk/RiskPolicy.sol";
import {PostConditions} from "../risk/PostConditions.sol";
import {DelegatedOnly} from "../base/DelegatedOnly.sol";

/// @title AutomationModule
/// @notice Guarded automation of a leveraged vault, run only through the vault's delegatecall (same storage
///         namespace, same immutables). Keepers choose only when to call: band rebalances, health floor,
///         stop-loss, take-profit, trailing stop and the permissionless ripcord each pass oracle, market, size,
///         timing and post-condition guards, and nothing a keeper passes is used. `trigger()` runs the same
///         guards, so it announces only what `rebalance()` would do. This is the shared part (decision, guards,
///         execution, post-conditions); the entry points are in KeeperModule (keepers, views) and EmergencyModule
///         (ripcord, outage deleverage), two deployed modules that compile only what they reach.
abstract contract AutomationModule is IVaultAutomation, LeverageEngine, DelegatedOnly {
    using SafeERC20 for IERC20;
    using Math for uint256;

    /// @dev A keeper raises the trailing stop's mark once the price is trail / POKE_FRACTION above it.
    uint256 internal constant POKE_FRACTION = 10;
    /// @notice Max move (bps) of the pool earlier in the same block that a keeper action or the ripcord accepts:
    ///         a same-block sandwich must move the pool first, and cannot.
    uint256 public constant MAX_BLOCK_MOVE_BPS = 10;
    /// @notice Share (bps) of the market's liquidation bonus that an urgent health deleverage may spend on slippage
    ///         and DEX deviation at most: being liquidated costs the bonus, a deleverage must cost less.
    uint256 public constant URGENT_BONUS_SHARE_BPS = 7500;
    /// @notice Gas a transaction costs before `rebalance` measures (the intrinsic 21,000), counted in keeper pay.
    uint256 public constant KEEPER_TX_BASE_GAS = 21_000;

    /// @notice keccak256 of the markets and oracle configuration; the vault checks it equals its own.
    bytes32 public immutable MARKETS_HASH;

    constructor(bytes32 marketsHash) {
        MARKETS_HASH = marketsHash;
    }

    // ---------------------------------------------------------------- decision

    /// @dev Slippage and deviation bounds (bps) of `action` at `healthFactor`. Below the floor every action that
    ///      repays debt (health deleverage, ripcord, stops, take-profit) widens both linearly with urgency, from the
    ///      configured bounds at the floor to URGENT_BONUS_SHARE_BPS of the liquidation bonus at the critical HF and
    ///      below; never narrower than configured. Band rebalances keep the configured bounds. The floor and the
    ///      critical HF change only through the timelock (ROLE-2), so no immediate change widens these bounds, and
    ///      an exit trigger made due at once trades at the bounds the health action would have had.
    function _bounds(Action action, uint256 healthFactor) internal view returns (uint256 slippageBps, uint256 deviationBps) {
        VaultLayout storage v = _vault();
        slippageBps = v.execution.maxSlippageBps;
        deviationBps = v.automation.maxDexDeviationBps;
        uint256 floor = v.leverage.minHealthFactor;
        if (RiskPolicy.isBandAction(action) || healthFactor >= floor) {
            return (slippageBps, deviationBps);
        }
        uint256 critical = v.automation.criticalHealthFactor;
        uint256 cap = (_liquidationBonusBps() - BPS) * URGENT_BONUS_SHARE_BPS / BPS;
        // Urgency in wad: 0 at the floor, 1 at the critical HF and below.
        uint256 urgency = floor > critical ? Math.min(floor - healthFactor, floor - critical).mulDiv(WAD, floor - critical) : WAD;
        if (cap > slippageBps) slippageBps += (cap - slippageBps).mulDiv(urgency, WAD);
        if (cap > deviationBps) deviationBps += (cap - deviationBps).mulDiv(urgency, WAD);
    }

    /// @dev The due action (cooldown and poke included) and the leverage it aims for. `liquidationThreshold` is the
    ///      market's (bps), as read for `s` in this call.
    function _decide(
        ILeverageVault.PositionState memory s,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 liquidationThreshold
    ) internal view returns (Action action, uint256 target) {
        (action, target) = _policy(s, collateralPrice, debtPrice, liquidationThreshold);
        if (RiskPolicy.isBandAction(action) && block.timestamp < _cooldownEnd()) action = Action.None;
        if (action == Action.None && _pokeDue(s.price)) action = Action.Poke;
    }

    /// @dev The policy's decision on the configuration with the volatility-adjusted target: the band is scaled
    ///      with the target, so that a lower target in a volatile market keeps its hysteresis.
    function _policy(
        ILeverageVault.PositionState memory s,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 liquidationThreshold
    ) internal view returns (Action action, uint256 target) {
        VaultLayout storage v = _vault();
        ILeverageVault.LeverageConfig memory leverage = v.leverage;
        IVaultAutomation.ExitConfig memory exits = v.exits;
        AutomationState memory state = v.state;
        uint256 highWaterMark = Math.max(state.highWaterMark, s.price);
        // A due stop decides alone whatever the target (RiskPolicy.stopDue; without equity nothing is due, and no
        // caller reads the target of None): the volatility-adjusted target, a read of the variance feed's rounds,
        // is skipped then.
        uint256 effective = RiskPolicy.stopDue(s, exits, highWaterMark) != Action.None
            ? leverage.targetLeverage
            : _effectiveTargetLeverage();
        if (state.mode == Mode.Active && effective < leverage.targetLeverage) {
            leverage.minLeverage = uint64(Math.max(WAD, uint256(leverage.minLeverage).mulDiv(effective, leverage.targetLeverage)));
            leverage.maxLeverage = uint64(uint256(leverage.maxLeverage).mulDiv(effective, leverage.targetLeverage));
            leverage.targetLeverage = uint64(effective);
        } else if (state.mode == Mode.ProfitTaken) {
            exits.takeProfitLeverage = uint64(effective);
        }
        // Collateral worth less than a dust amount of the debt asset is not worth selling on a stop.
        (action, target) = RiskPolicy.decide(
            s,
            leverage,
            exits,
            state.mode,
            highWaterMark,
            liquidationThreshold,
            _collateralFor(_dustDebt(), collateralPrice, debtPrice)
        );
    }

    /// @dev True for an action that repays debt on a position whose health factor is at or below the floor.
    function _deleversAtFloor(Action action, uint256 healthFactor) internal view returns (bool) {
        return _trades(action) && _sellsCollateral(action) && healthFactor <= _vault().leverage.minHealthFactor;
    }

    function _trades(Action action) internal pure returns (bool) {
        return action != Action.None && action != Action.Poke;
    }

    function _sellsCollateral(Action action) internal pure returns (bool) {
        return action != Action.ReleverBand;
    }

    /// @dev The market guards every trading action on position `s` passes, as (trade room in debt units, encoded error
    ///      or empty): the pool has not moved within this block, its spot is within the deviation bound of the
    ///      oracle, the slippage and deviation bounds leave room for a trade, and for a lever-up the market's caps do
    ///      too, as the idle sweep before it leaves them (TRIGGER-1: the view and the action see the same room).
    function _guards(
        bool sellCollateral,
        ILeverageVault.PositionState memory s,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 slippageBps,
        uint256 maxDeviation
    ) internal view returns (uint256 maxTrade, bytes memory blocked) {
        uint256 oraclePrice = s.price;
        // One read of the DEX for the three guards below (a view: nothing trades in between).
        (uint256 moved, uint256 spot, uint256 dexState) = _guardReading();
        if (moved > MAX_BLOCK_MOVE_BPS) {
            return (0, abi.encodeWithSelector(KeeperPoolMovedInBlock.selector, moved, MAX_BLOCK_MOVE_BPS));
        }
        if (LeverageMath.distance(spot, oraclePrice) * BPS > oraclePrice * maxDeviation) {
            return (0, abi.encodeWithSelector(KeeperDexDeviation.selector, spot, oraclePrice));
        }
        uint256 move = _moveWithinBounds(sellCollateral, spot, oraclePrice, slippageBps, maxDeviation);
        uint256 maxIn = move == 0 ? 0 : _maxInputAcrossRanges(sellCollateral, move, dexState);
        maxTrade = Math.min(
            _vault().automation.maxTradeSize, sellCollateral ? _debtFor(maxIn, collateralPrice, debtPrice) : maxIn
        );
        // A deleverage flash-loans the collateral it sells: no more than the market can lend and pay back out.
        if (sellCollateral) maxTrade = Math.min(maxTrade, _debtFor(_collateralFlashRoom(), collateralPrice, debtPrice));
        if (maxTrade <= _dustDebt()) {
            return (0, abi.encodeWithSelector(KeeperNoTradeRoom.selector, spot, oraclePrice));
        }
        if (!sellCollateral) {
            // CAP-1: a lever-up borrows and supplies what it buys with the idle collateral (which the sweep before
            // it supplies first, within the cap); the market's caps bound it (read only on this path). The sweep
            // also repays debt with the idle debt asset, which frees as much borrow-cap room.
            // An uncapped room (max) is not converted: debt per collateral can exceed 1 raw unit per unit (a short,
            // a loop) and the conversion would overflow.
            uint256 supplyRoom = _supplyRoom();
            uint256 capRoom = _borrowRoom(_idleDebtRepaid(s));
            if (supplyRoom != type(uint256).max) {
                supplyRoom = supplyRoom > s.idleCollateral ? supplyRoom - s.idleCollateral : 0;
                capRoom = Math.min(capRoom, _debtFor(supplyRoom, collateralPrice, debtPrice));
            }
            if (capRoom <= _dustDebt()) return (0, abi.encodeWithSelector(KeeperMarketCapReached.selector, capRoom));
            maxTrade = Math.min(maxTrade, capRoom);
        }
    }

    // ---------------------------------------------------------------- execution

    /// @param gasStart `gasleft()` at the entry point, for keeper pay.
    function _rebalance(uint256 gasStart) internal returns (Action action) {
        _accrueFee();
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        // The decision already counts idle balances as put to work (the view does too); make it so on the market.
        if (_sweepIdle(before)) before = _position(collateralPrice, debtPrice, liquidationThreshold);
        uint256 target;
        (action, target) = _decide(before, collateralPrice, debtPrice, liquidationThreshold);
        VaultLayout storage v = _vault();
        // Keepers only, but for a deleverage at or below the health-factor floor: anyone may run that one, so that no
        // change to the keeper set (applied at once) leaves such a position without someone able to delever (ROLE-2).
        if (!v.keepers[msg.sender] && !(_deleversAtFloor(action, before.healthFactor))) {
            revert ILeverageVault.VaultUnauthorized(msg.sender);
        }
        if (action == Action.None) {
            if (RiskPolicy.isBandAction(_rawDecision(before, collateralPrice, debtPrice, liquidationThreshold))) {
                revert KeeperCooldownActive(_cooldownEnd());
            }
            revert KeeperNothingToDo();
        }
        _onInteraction(before.price);
        if (action == Action.Poke) {
            emit ActionExecuted(Action.Poke, msg.sender, before.leverage, before.leverage, before.healthFactor, before.healthFactor);
            return Action.Poke;
        }
        (uint256 maxTrade, uint256 slippageBps) = _enterTrade(action, before, collateralPrice, debtPrice);
        if (RiskPolicy.isBandAction(action)) v.state.lastRebalanceAt = uint40(block.timestamp);

        bool ownLiquidation;
        if (action == Action.ReleverBand) {
            uint256 targetDebtValue = LeverageMath.debtForLeverage(before.equityValue, target);
            uint256 borrowAmount = (targetDebtValue - before.debtValue).mulDiv(DEBT_UNIT, debtPrice);
            _lever(Math.min(borrowAmount, maxTrade), before.idleCollateral, collateralPrice, debtPrice);
        } else if (action == Action.StopLoss || action == Action.TrailingStop) {
            if (v.state.mode != Mode.StoppedOut) _setMode(Mode.StoppedOut);
            ownLiquidation = _unwindChunk(before, collateralPrice, debtPrice, maxTrade, liquidationThreshold);
        } else {
            if (action == Action.TakeProfit && v.state.mode != Mode.ProfitTaken) _setMode(Mode.ProfitTaken);
            ownLiquidation = _deleverToward(target, before, collateralPrice, debtPrice, maxTrade, liquidationThreshold);
        }
        if (ownLiquidation) _supplyIdleCollateral();
        ILeverageVault.PositionState memory afterAction = _position(collateralPrice, debtPrice, liquidationThreshold);
        slippageBps = _lossAllowanceBps(slippageBps, ownLiquidation);
        // Keeper pay comes out of the action's own loss bound and keeps its other post-conditions; none below a
        // market health factor of 1 (nothing can be withdrawn then).
        if (!ownLiquidation && _payKeeper(gasStart, action, target, before, afterAction, collateralPrice, debtPrice, slippageBps)) {
            afterAction = _position(collateralPrice, debtPrice, liquidationThreshold);
        }
        _checkPostConditions(action, target, before, afterAction, collateralPrice, debtPrice, 0, slippageBps);
        _overrideSlippage(0);
        _noteKeeperTrade();
    }

    /// @dev Runs the market guards at the action's bounds (reverting with the failing guard's error) and holds the
    ///      action's swaps to its slippage for the rest of the transaction; returns its trade room and slippage.
    function _enterTrade(
        Action action,
        ILeverageVault.PositionState memory before,
        uint256 collateralPrice,
        uint256 debtPrice
    ) internal returns (uint256 maxTrade, uint256 slippageBps) {
        bytes memory blocked;
        (maxTrade, slippageBps, blocked) = _actionGuards(action, before, collateralPrice, debtPrice);
        _revertWith(blocked);
        _overrideSlippage(slippageBps);
    }

    /// @dev The market guards of `action` on position `s` at the action's bounds (`_bounds`, `_guards`): its trade
    ///      room, its slippage and the encoded error of the failing guard (empty when none fails).
    function _actionGuards(
        Action action,
        ILeverageVault.PositionState memory s,
        uint256 collateralPrice,
        uint256 debtPrice
    ) internal view returns (uint256 maxTrade, uint256 slippageBps, bytes memory blocked) {
        uint256 deviationBps;
        (slippageBps, deviationBps) = _bounds(action, s.healthFactor);
        (maxTrade, blocked) = _guards(_sellsCollateral(action), s, collateralPrice, debtPrice, slippageBps, deviationBps);
    }

    /// @dev The policy's decision before the cooldown, to name the cooldown when it is what holds an action back.
    function _rawDecision(
        ILeverageVault.PositionState memory s,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 liquidationThreshold
    ) internal view returns (Action action) {
        (action,) = _policy(s, collateralPrice, debtPrice, liquidationThreshold);
    }

    /// @dev True when the trailing stop is armed and the price is a tenth of the trail above the recorded mark.
    function _pokeDue(uint256 price) internal view returns (bool) {
        AutomationState storage state = _vault().state;
        uint256 trailBps = _vault().exits.trailBps;
        return state.mode == Mode.Active && trailBps != 0
            && price * BPS > uint256(state.highWaterMark) * (BPS + trailBps / POKE_FRACTION);
    }

    /// @dev Repays debt toward `target` leverage, at most `maxTrade` debt units; the last chunk to 1x is exact.
    ///      Below the market's liquidation threshold it liquidates its own debt, at most the market's close factor,
    ///      and returns true. `liquidationThreshold` is the market's (bps), as read for `before` in this call.
    function _deleverToward(
        uint256 target,
        ILeverageVault.PositionState memory before,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 maxTrade,
        uint256 liquidationThreshold
    ) internal returns (bool ownLiquidation) {
        uint256 targetDebtValue = LeverageMath.debtForLeverage(before.equityValue, target);
        if (targetDebtValue >= before.debtValue) return false;
        uint256 repay = (before.debtValue - targetDebtValue).mulDiv(DEBT_UNIT, debtPrice);
        if (targetDebtValue == 0 && before.debt <= maxTrade) {
            _unwindAll(before.debt, collateralPrice, debtPrice);
            return false;
        }
        uint256 chunk = Math.min(repay, maxTrade);
        (bool belowLiquidation,) =
            _belowLiquidation(before.collateral, before.debt, collateralPrice, debtPrice, liquidationThreshold);
        if (belowLiquidation) {
            // The loan is returned exact out with the flash premium on top: what the swap buys stays within the
            // trade room the guards sized.
            uint256 sized = maxTrade.mulDiv(BPS, BPS + _flashLoanPremiumBps());
            _deleverBelowLiquidation(Math.min(Math.min(repay, sized), _maxOwnLiquidation(before.debt)), collateralPrice, debtPrice);
            return true;
        }
        _delever(_collateralFor(chunk, collateralPrice, debtPrice), collateralPrice, debtPrice);
    }

    /// @dev The slippage an action's loss budget allows (bps of what it traded), plus the market's protocol fee on
    ///      the liquidation bonus when the vault liquidated its own debt.
    function _lossAllowanceBps(uint256 slippageBps, bool ownLiquidation) internal view returns (uint256) {
        if (!ownLiquidation) return slippageBps;
        return slippageBps + (_liquidationBonusBps() - BPS).mulDiv(_liquidationProtocolFeeBps(), BPS, Math.Rounding.Ceil);
    }

    /// @dev One step of the stop: repay debt in chunks, then (if configured) sell collateral into the debt asset.
    function _unwindChunk(
        ILeverageVault.PositionState memory before,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 maxTrade,
        uint256 liquidationThreshold
    ) internal returns (bool ownLiquidation) {
        if (before.debt != 0) return _deleverToward(WAD, before, collateralPrice, debtPrice, maxTrade, liquidationThreshold);
        if (before.collateral != 0) _withdrawCollateral(type(uint256).max, address(this));
        uint256 held = IERC20(COLLATERAL_ASSET).balanceOf(address(this));
        uint256 amount = Math.min(held, _collateralFor(maxTrade, collateralPrice, debtPrice));
        _swapExactIn(COLLATERAL_ASSET, DEBT_ASSET, amount, _minOut(true, amount, collateralPrice, debtPrice));
    }

    /// @dev The loss budget is `maxEquityLossBps` of the value the action traded (the debt it repaid or borrowed, or
    ///      the debt asset it bought once the debt is gone, grossed up by the slippage its swaps were held to),
    ///      widened to the slippage `slippageBps` the action was allowed (which counts an own liquidation's protocol
    ///      fee) plus the flash premium when an urgent action got more, plus the rounding of two raw units of each
    ///      token.
    function _checkPostConditions(
        Action action,
        uint256 target,
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory afterAction,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 allowedExtraLoss,
        uint256 slippageBps
    ) internal {
        (, uint256 maxLoss) = _lossBound(before, afterAction, debtPrice, slippageBps);
        maxLoss += allowedExtraLoss + 2 * (debtPrice / DEBT_UNIT + collateralPrice / COLLATERAL_UNIT + 1);
        PostConditions.check(action, target, before, afterAction, _vault().leverage.minHealthFactor, maxLoss);
        emit ActionExecuted(
            action, msg.sender, before.leverage, afterAction.leverage, before.healthFactor, afterAction.healthFactor
        );
    }

    /// @dev The value (wad USD) an action traded and the loss it may cost for it, before the rounding allowance.
    function _lossBound(
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory afterAction,
        uint256 debtPrice,
        uint256 slippageBps
    ) internal view returns (uint256 traded, uint256 maxLoss) {
        traded = Math.max(
            LeverageMath.distance(before.debtValue, afterAction.debtValue),
            LeverageMath.distance(before.idleDebtAsset, afterAction.idleDebtAsset).mulDiv(debtPrice, DEBT_UNIT)
        );
        uint256 lossBps = Math.max(_vault().automation.maxEquityLossBps, slippageBps + _flashLoanPremiumBps());
        // The value traded is what the action sold: collateral sold for the debt it repaid is worth up to
        // repaid / (1 - slippage) at the oracle (its min out), the base its chunk was sized on.
        maxLoss = traded.mulDiv(lossBps, BPS - _slippageBps(), Math.Rounding.Ceil);
    }

    /// @dev Pays an EOA keeper (tx.origin: a forwarder contract is paid by its own network) its gas, bounded as
    ///      `KeeperPayConfig` says; returns whether it paid. The bounds, each in wad USD:
    ///      - gas: (gas used so far + KEEPER_TX_BASE_GAS) * min(tx.gasprice, maxGasPrice) * multiplier (KEEPER-PAY-1);
    ///      - work: maxPerAction * traded / maxTradeSize, so slivers never earn more than one action (KEEPER-PAY-2);
    ///      - loss: what is left of the action's loss bound (VAULT-EQ-1 holds with the pay, KEEPER-PAY-3);
    ///      - health and leverage: half the room to the health bound (the floor for a lever-up, the health factor
    ///        before for the rest) and to the leverage bound (VAULT-HF-1/2, VAULT-LEV-1 hold with the pay);
    ///      - the day's budget left (maxPerDay).
    function _payKeeper(
        uint256 gasStart,
        Action action,
        uint256 target,
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory a,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 slippageBps
    ) internal returns (bool) {
        VaultLayout storage v = _vault();
        // Off (the default): one storage read. Only allow-listed keepers are paid (anyone may delever at the floor).
        if (v.keeperPay.multiplierBps == 0 || msg.sender != tx.origin || !v.keepers[msg.sender]) return false;
        KeeperPayConfig memory c = v.keeperPay;
        uint256 gasUsed = gasStart - gasleft() + KEEPER_TX_BASE_GAS;
        uint256 gasPrice = Math.min(tx.gasprice, c.maxGasPrice);
        uint256 value = (gasUsed * gasPrice * c.multiplierBps / BPS).mulDiv(
            v.gasTokenFeed != address(0) ? _gasTokenPrice(v.gasTokenFeed) : c.gasTokenIsDebt ? debtPrice : collateralPrice, WAD
        );
        (uint256 traded, uint256 maxLoss) = _lossBound(before, a, debtPrice, slippageBps);
        uint256 tradeSize = uint256(v.automation.maxTradeSize).mulDiv(debtPrice, DEBT_UNIT);
        uint256 loss = before.equityValue > a.equityValue ? before.equityValue - a.equityValue : 0;
        value = Math.min(
            Math.min(value, maxLoss > loss ? maxLoss - loss : 0),
            uint256(c.maxPerAction).mulDiv(collateralPrice, COLLATERAL_UNIT).mulDiv(Math.min(traded, tradeSize), tradeSize)
        );
        if (a.healthFactor != type(uint256).max) {
            uint256 floor = action == Action.ReleverBand ? v.leverage.minHealthFactor : before.healthFactor;
            uint256 collateralValue = a.grossValue - a.idleDebtAsset.mulDiv(debtPrice, DEBT_UNIT);
            value = Math.min(
                value, a.healthFactor > floor ? collateralValue.mulDiv(a.healthFactor - floor, 2 * a.healthFactor) : 0
            );
        }
        if (a.equityValue == 0) return false; // nothing to pay from (and leverage is unbounded)
        if (before.debt != 0) {
            // Pay P raises leverage L to (L E - P) / (E - P): at most by `room` when P <= room E / (L - 1 + room).
            uint256 room;
            if (a.leverage < before.leverage) room = (before.leverage - a.leverage) / 2;
            else if (2 * target > before.leverage + a.leverage) room = (2 * target - before.leverage - a.leverage) / 2;
            value = Math.min(value, a.equityValue.mulDiv(room, a.leverage - WAD + room + 1));
        }
        uint32 day = uint32(block.timestamp / 1 days);
        KeeperPayState memory state = v.keeperPayState;
        uint256 paid = state.day == day ? state.paidToday : 0;
        uint256 pay = Math.min(
            Math.min(_toAssets(value, collateralPrice), c.maxPerDay > paid ? c.maxPerDay - paid : 0),
            a.collateral + a.idleCollateral
        );
        if (pay == 0) return false;
        v.keeperPayState = KeeperPayState(day, uint96(paid + pay));
        _sendCollateral(msg.sender, pay);
        emit KeeperPaid(msg.sender, pay, gasUsed, gasPrice);
        return true;
    }

    /// @dev Accrues the vault's fees first (an external call to the vault itself) while a fee is set.
    function _accrueFee() internal {
        VaultLayout storage v = _vault();
        if (v.fees.managementFeeBps | v.fees.performanceFeeBps != 0) ILeverageVault(address(this)).accrueFee();
    }

    function _sendCollateral(address to, uint256 amount) internal {
        if (IERC20(COLLATERAL_ASSET).balanceOf(address(this)) >= amount) {
            IERC20(COLLATERAL_ASSET).safeTransfer(to, amount);
        } else {
            _withdrawCollateral(amount, to);
        }
    }

    function _cooldownEnd() internal view returns (uint256) {
        VaultLayout storage v = _vault();
        return uint256(v.state.lastRebalanceAt) + v.automation.cooldown;
    }

    /// @dev Re-raises an error encoded by `_guards`; no-op when empty.
    function _revertWith(bytes memory error) internal pure {
        if (error.length != 0) {
            assembly ("memory-safe") {
                revert(add(error, 0x20), mload(error))
            }
        }
    }
}
