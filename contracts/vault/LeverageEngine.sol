// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LendingAdapter} from "../adapters/lending/LendingAdapter.sol";
import {SwapAdapter} from "../adapters/swap/SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {StaticReads} from "../libraries/StaticReads.sol";
import {VaultStorage} from "./VaultStorage.sol";

/// @title LeverageEngine
/// @notice What both the vault and its module run: position reads at oracle prices and the three flash-loan
///         moves (lever, delever, exit / unwind), each swap bounded by the oracle and the max slippage.
abstract contract LeverageEngine is VaultStorage, ReentrancyGuardTransient, LendingAdapter, SwapAdapter, ChainlinkOracleAdapter {
    using Math for uint256;
    using TransientSlot for *;

    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    /// @dev Above 1 + this (wad) the vault's own health reading is trusted to be above the market's 1.
    uint256 private constant HEALTH_READ_MARGIN = 0.05e18;

    /// @dev Slippage (bps) an urgent keeper action may use instead of the configured one, for that transaction
    ///      only; 0 = the configured slippage. ERC-7201 formula on "levered-vaults.transient.slippageOverride".
    bytes32 private constant SLIPPAGE_OVERRIDE_SLOT = 0x97b93331f36f12000284a62a9eb286186c6ece03e0b272de33eafe4db7cb7600;
    /// @dev Debt units the flash-loan moves repaid in this transaction (read back and cleared by `_takeDebtRepaid`).
    ///      ERC-7201 formula on "levered-vaults.transient.debtRepaid".
    bytes32 private constant DEBT_REPAID_SLOT = 0x6cba1a85ead8ccde7ba384fdf15f760bca6b185dc4780ffad1eae494054ac200;

    enum FlashAction {
        Lever, // debt flash-borrowed as debt -> swap to collateral -> supply
        Delever, // collateral flashed -> swap to debt -> repay -> withdraw collateral to return the loan
        Exit, // debt flashed -> repay -> withdraw collateral -> swap exact out to return the loan
        LiquidateOwn // debt flashed -> liquidate own debt -> swap exact out to return the loan -> supply the rest
    }

    /// @dev Borrows `borrowAmount` of debt through a debt-opening flash loan, swaps it to collateral and supplies it
    ///      with `extraCollateral` already held. The market checks the new borrow against the new collateral.
    function _lever(uint256 borrowAmount, uint256 extraCollateral, uint256 collateralPrice, uint256 debtPrice)
        internal
    {
        if (borrowAmount == 0) {
            if (extraCollateral != 0) _supplyCollateral(extraCollateral);
            return;
        }
        uint256 minOut = _minOut(false, borrowAmount, collateralPrice, debtPrice);
        _flashBorrowDebt(borrowAmount, abi.encode(FlashAction.Lever, extraCollateral, minOut));
    }

    /// @dev Sells `collateralAmount` (flash-loaned, then withdrawn) for debt and repays with it.
    function _delever(uint256 collateralAmount, uint256 collateralPrice, uint256 debtPrice) internal {
        uint256 minOut = _minOut(true, collateralAmount, collateralPrice, debtPrice);
        _flashLoan(COLLATERAL_ASSET, collateralAmount, abi.encode(FlashAction.Delever, 0, minOut));
    }

    /// @dev Repays `debtAmount` with a flash loan, withdraws `collateralAmount` (max = all) into the vault and sells
    ///      just enough of it, exact out, to return the loan; the rest stays idle in the vault.
    function _repayWithCollateral(
        uint256 debtAmount,
        uint256 collateralAmount,
        uint256 collateralPrice,
        uint256 debtPrice
    ) internal {
        _flashLoan(
            DEBT_ASSET,
            debtAmount,
            abi.encode(FlashAction.Exit, collateralAmount, _maxCollateralPerDebt(collateralPrice, debtPrice))
        );
    }

    /// @dev Below the market's liquidation threshold the market refuses every withdrawal that leaves the health
    ///      factor under 1, so a chunk too small to lift it above 1 alone cannot delever. The vault then acts as
    ///      its own liquidator: it repays `debtAmount` through the market's liquidation and receives the collateral
    ///      with the liquidation bonus, which stays with the holders but for the market's protocol fee. What the
    ///      bonus leaves after returning the loan is idle: the caller supplies it (`_supplyIdleCollateral`).
    function _deleverBelowLiquidation(uint256 debtAmount, uint256 collateralPrice, uint256 debtPrice) internal {
        _flashLoan(
            DEBT_ASSET,
            debtAmount,
            abi.encode(FlashAction.LiquidateOwn, 0, _maxCollateralPerDebt(collateralPrice, debtPrice))
        );
    }

    /// @dev Whether the market's health factor is below 1, and the health factor read. The market is asked (an
    ///      account-data call, ~25k gas) only when the vault's own reading of the supplied `collateral` and `debt`
    ///      at its oracle prices is within HEALTH_READ_MARGIN of 1: both read the same feeds.
    function _belowLiquidation(uint256 collateral, uint256 debt, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (bool below, uint256 healthFactor)
    {
        if (debt == 0) return (false, type(uint256).max);
        healthFactor = LeverageMath.healthFactor(
            collateral.mulDiv(collateralPrice, COLLATERAL_UNIT), _debtValue(debt, debtPrice), _liquidationThresholdBps()
        );
        if (healthFactor >= WAD + HEALTH_READ_MARGIN) return (false, healthFactor);
        healthFactor = _marketHealthFactor();
        below = healthFactor < WAD;
    }

    /// @dev The same with the market's liquidation threshold (bps) already read in this call (a keeper action's).
    function _belowLiquidation(
        uint256 collateral,
        uint256 debt,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 liquidationThresholdBps
    ) internal view returns (bool below, uint256 healthFactor) {
        if (debt == 0) return (false, type(uint256).max);
        healthFactor = LeverageMath.healthFactor(
            collateral.mulDiv(collateralPrice, COLLATERAL_UNIT), _debtValue(debt, debtPrice), liquidationThresholdBps
        );
        if (healthFactor >= WAD + HEALTH_READ_MARGIN) return (false, healthFactor);
        healthFactor = _marketHealthFactor();
        below = healthFactor < WAD;
    }

    /// @dev Collateral (wad per whole debt token) an exact-out swap may pay for debt: the oracle price plus slippage.
    ///      A keeper action or the ripcord (a slippage override is set) sized its chunk on the exact-in basis, out >=
    ///      in * price * (1 - slippage): its exact-out swaps are judged on that same basis, in <= out / (price *
    ///      (1 - slippage)), so that a chunk its guards accept is never refused by its own bound.
    function _maxCollateralPerDebt(uint256 collateralPrice, uint256 debtPrice) internal view returns (uint256) {
        uint256 slippage = _slippageBps();
        uint256 fair = _collateralFor(WAD, collateralPrice, debtPrice);
        if (SLIPPAGE_OVERRIDE_SLOT.asUint256().tload() != 0) return fair.mulDiv(BPS, BPS - slippage, Math.Rounding.Ceil);
        return fair.mulDiv(BPS + slippage, BPS, Math.Rounding.Ceil);
    }

    /// @dev Repays all `debt` (read in this transaction) and withdraws all collateral into the vault (1x, idle).
    function _unwindAll(uint256 debt, uint256 collateralPrice, uint256 debtPrice) internal {
        if (debt == 0) {
            if (_collateralBalance() != 0) _withdrawCollateral(type(uint256).max, address(this));
            return;
        }
        _repayWithCollateral(debt, type(uint256).max, collateralPrice, debtPrice);
    }

    /// @inheritdoc LendingAdapter
    function _onFlashLoan(address, uint256 amount, uint256 premium, bytes memory data) internal virtual override {
        (FlashAction action, uint256 arg, uint256 bound) = abi.decode(data, (FlashAction, uint256, uint256));
        if (action == FlashAction.Lever) {
            uint256 out = _swapExactIn(DEBT_ASSET, COLLATERAL_ASSET, amount, bound);
            _supplyCollateral(out + arg);
        } else if (action == FlashAction.Delever) {
            uint256 out = _swapExactIn(COLLATERAL_ASSET, DEBT_ASSET, amount, bound);
            _noteDebtRepaid(_repayDebt(out));
            _withdrawCollateral(amount + premium, address(this));
        } else if (action == FlashAction.Exit) {
            _noteDebtRepaid(_repayDebt(amount));
            _withdrawCollateral(arg, address(this));
            _returnDebtLoan(amount + premium, bound);
        } else {
            // What the bonus leaves over stays idle for the caller to supply (a ripcord pays its reward from it
            // first: below a health factor of 1 nothing can be withdrawn).
            _liquidateOwnDebt(amount);
            _noteDebtRepaid(amount);
            _returnDebtLoan(amount + premium, bound);
        }
    }

    function _noteDebtRepaid(uint256 amount) private {
        DEBT_REPAID_SLOT.asUint256().tstore(DEBT_REPAID_SLOT.asUint256().tload() + amount);
    }

    /// @dev Debt units the flash-loan moves repaid since the last call, in this transaction; clears the count.
    function _takeDebtRepaid() internal returns (uint256 repaid) {
        repaid = DEBT_REPAID_SLOT.asUint256().tload();
        DEBT_REPAID_SLOT.asUint256().tstore(0);
    }

    /// @dev Buys `owed` debt asset with collateral, at most `maxCollateralPerDebt` (wad) each and two raw units for
    ///      the DEX's fee and price rounding (which would otherwise refuse any tiny leg, as in `_minOut`); returns
    ///      what it sold.
    function _returnDebtLoan(uint256 owed, uint256 maxCollateralPerDebt) private returns (uint256 sold) {
        return _swapExactOut(
            COLLATERAL_ASSET, DEBT_ASSET, owed, owed.mulDiv(maxCollateralPerDebt, WAD, Math.Rounding.Ceil) + 2
        );
    }

    /// @dev Everything the vault holds and owes, valued at the given prices (wad USD per whole token). The health
    ///      factor needs the market's liquidation threshold (bps); with 0 it is not computed and left 0, which
    ///      saves the read on paths that do not use it.
    function _position(uint256 collateralPrice, uint256 debtPrice, uint256 liquidationThresholdBps)
        internal
        view
        returns (ILeverageVault.PositionState memory s)
    {
        s.collateral = _collateralBalance();
        s.debt = _debtBalance();
        s.idleCollateral = StaticReads.balanceOf(COLLATERAL_ASSET, address(this));
        s.idleDebtAsset = StaticReads.balanceOf(DEBT_ASSET, address(this));
        // Supplied and idle collateral, each valued rounding down. An idle balance is most often zero, and so is its
        // value: its valuation is skipped then.
        uint256 collateralValue = s.collateral.mulDiv(collateralPrice, COLLATERAL_UNIT);
        if (s.idleCollateral != 0) collateralValue += s.idleCollateral.mulDiv(collateralPrice, COLLATERAL_UNIT);
        s.grossValue = collateralValue;
        if (s.idleDebtAsset != 0) s.grossValue += s.idleDebtAsset.mulDiv(debtPrice, DEBT_UNIT);
        s.debtValue = _debtValue(s.debt, debtPrice);
        s.equityValue = s.grossValue > s.debtValue ? s.grossValue - s.debtValue : 0;
        _setLeverageAfterSweep(s, debtPrice);
        if (liquidationThresholdBps != 0) {
            _setHealthFactorAfterSweep(s, collateralValue, debtPrice, liquidationThresholdBps);
        }
        s.price = collateralPrice.mulDiv(WAD, debtPrice);
    }

    /// @dev Leverage as it is once the idle balances are put to work (`_sweepIdle`: idle debt asset repays debt,
    ///      idle collateral is supplied), so that a keeper action decides on what it will trade.
    function _setLeverageAfterSweep(ILeverageVault.PositionState memory s, uint256 debtPrice) private view {
        uint256 repayableValue = s.idleDebtAsset == 0 ? 0 : _debtValue(Math.min(s.idleDebtAsset, s.debt), debtPrice);
        repayableValue = Math.min(repayableValue, Math.min(s.grossValue, s.debtValue));
        s.leverage = LeverageMath.leverage(s.grossValue - repayableValue, s.debtValue - repayableValue);
    }

    /// @dev The health factor as the market will see it once the idle balances are put to work: leverage already
    ///      counts them, the health factor must agree with it. `collateralValue` counts idle collateral as supplied.
    function _setHealthFactorAfterSweep(
        ILeverageVault.PositionState memory s,
        uint256 collateralValue,
        uint256 debtPrice,
        uint256 liquidationThresholdBps
    ) private view {
        uint256 owed = s.debt - Math.min(s.idleDebtAsset, s.debt);
        s.healthFactor = owed == 0
            ? type(uint256).max
            : LeverageMath.healthFactor(
                collateralValue, owed == s.debt ? s.debtValue : _debtValue(owed, debtPrice), liquidationThresholdBps
            );
    }

    /// @dev Puts idle balances to work so that the market's position is the one the vault accounts for: the idle
    ///      debt asset repays debt, idle collateral is supplied (except once stopped out, where the stop holds or
    ///      sells it). Anything sent to the vault then protects its health factor. Returns whether it did anything.
    function _sweepIdle(ILeverageVault.PositionState memory s) internal returns (bool swept) {
        uint256 repayable = _idleDebtRepaid(s);
        if (repayable != 0) {
            _repayDebt(repayable);
            swept = true;
        }
        if (s.idleCollateral != 0) swept = _supplyWithinCap(s.idleCollateral) || swept;
    }

    /// @dev The debt the idle sweep repays with the idle debt asset of position `s` (none up to a dust amount).
    function _idleDebtRepaid(ILeverageVault.PositionState memory s) internal view returns (uint256 repayable) {
        repayable = Math.min(s.idleDebtAsset, s.debt);
        if (repayable <= _dustDebt()) repayable = 0;
    }

    /// @dev Supplies all idle collateral, except once stopped out (see `_sweepIdle`).
    function _supplyIdleCollateral() internal {
        _supplyWithinCap(StaticReads.balanceOf(COLLATERAL_ASSET, address(this)));
    }

    /// @dev Supplies `idle` collateral, as much as the market's supply cap still takes (the rest stays idle and is
    ///      valued the same: CAP-1), except once stopped out. Returns whether it supplied anything.
    function _supplyWithinCap(uint256 idle) private returns (bool) {
        if (idle == 0 || _vault().state.mode == IVaultAutomation.Mode.StoppedOut) return false;
        uint256 amount = Math.min(idle, _supplyRoom());
        if (amount != 0) _supplyCollateral(amount);
        return amount != 0;
    }

    /// @dev The leverage a deposit takes: the vault's own, capped by the effective target (target when empty).
    function _depositLeverage(ILeverageVault.PositionState memory state) internal view returns (uint256) {
        return _depositLeverage(state, 0);
    }

    /// @dev The same with the market's liquidation threshold: `liquidationThresholdBps` is the market's as already read in this call, or 0 to read it if needed.
    function _depositLeverage(ILeverageVault.PositionState memory state, uint256 liquidationThresholdBps)
        internal
        view
        returns (uint256)
    {
        (uint256 target,) = _volatilityTarget(liquidationThresholdBps);
        return state.equityValue == 0 ? target : Math.min(state.leverage, target);
    }

    /// @dev Assets a deposit may add at `leverage`: the vault's deposit cap above `totalAssets_`, and the market's
    ///      supply cap (the deposit supplies `leverage` times its assets, and the idle collateral with them) and
    ///      borrow cap (it borrows `leverage - 1` times their value) room.
    function _depositRoom(
        uint256 totalAssets_,
        uint256 idleCollateral,
        uint256 leverage,
        uint256 collateralPrice,
        uint256 debtPrice
    )
        internal
        view
        returns (uint256 room)
    {
        uint256 cap = _vault().execution.depositCap;
        room = totalAssets_ >= cap ? 0 : cap - totalAssets_;
        uint256 supplyRoom = _supplyRoom();
        if (supplyRoom != type(uint256).max) {
            // Idle collateral is supplied with the deposit.
            room = Math.min(room, (supplyRoom > idleCollateral ? supplyRoom - idleCollateral : 0).mulDiv(WAD, leverage));
        }
        if (leverage > WAD) {
            uint256 borrowRoom = _borrowRoom(0);
            if (borrowRoom != type(uint256).max) {
                room = Math.min(room, _collateralFor(borrowRoom, collateralPrice, debtPrice).mulDiv(WAD, leverage - WAD));
            }
        }
    }

    /// @dev 1x once stopped out, the take-profit leverage once profit is taken, else the configured target.
    function _effectiveTargetLeverage() internal view returns (uint256 target) {
        (target,) = _volatilityTarget(0);
    }

    /// @dev `_volatilityTarget` with sigma (wad per sqrt(second)) in place of the variance.
    function _volatilityAdjustedTarget() internal view returns (uint256 target, uint256 sigma) {
        uint256 variance;
        (target, variance) = _volatilityTarget(0);
        sigma = Math.sqrt(variance * WAD);
    }

    /// @dev The mode's target, lowered when volatility-aware leverage is on to the leverage whose health factor
    ///      survives a k-sigma fall over the horizon: with d = k sigma sqrt(horizon), HF after the fall is
    ///      LT (1 - d) / LTV >= 1, so LTV <= LT (1 - d) and L <= 1 / (1 - LT (1 - d)); never below the floor
    ///      leverage (nor above the mode's target). `variance` is the pair's, wad per second (0 when off or stopped
    ///      out). `liquidationThresholdBps` is the market's as already read in this call, or 0 to read it only when
    ///      the fall needs it.
    function _volatilityTarget(uint256 liquidationThresholdBps)
        internal
        view
        returns (uint256 target, uint256 variance)
    {
        VaultLayout storage v = _vault();
        IVaultAutomation.Mode mode = v.state.mode;
        if (mode == IVaultAutomation.Mode.StoppedOut) return (WAD, 0);
        target = mode == IVaultAutomation.Mode.ProfitTaken ? v.exits.takeProfitLeverage : v.leverage.targetLeverage;
        IVaultAutomation.VolatilityConfig memory volatility = v.volatility;
        if (volatility.horizon == 0) return (target, 0);
        variance = _pairVariancePerSecond(volatility.rounds);
        uint256 fall = Math.sqrt(variance * volatility.horizon * WAD).mulDiv(volatility.sigmaMultiple, 100);
        uint256 survivable = volatility.floorLeverage;
        if (fall < WAD) {
            if (liquidationThresholdBps == 0) liquidationThresholdBps = _liquidationThresholdBps();
            uint256 ltv = liquidationThresholdBps.mulDiv(WAD - fall, BPS);
            survivable = Math.max(survivable, WAD.mulDiv(WAD, WAD - ltv));
        }
        target = Math.min(target, survivable);
    }

    /// @dev Raises the trailing stop's high-water mark (wad debt per collateral); every deposit, exit, keeper
    ///      action and `poke` passes here.
    function _onInteraction(uint256 price) internal {
        IVaultAutomation.AutomationState storage state = _vault().state;
        if (price > state.highWaterMark) {
            state.highWaterMark = uint128(price);
            emit IVaultAutomation.HighWaterMarkRaised(price);
        }
    }

    /// @dev Debt is valued rounding up, assets down: NAV never flatters the position.
    function _debtValue(uint256 debt, uint256 debtPrice) internal view returns (uint256) {
        return debt.mulDiv(debtPrice, DEBT_UNIT, Math.Rounding.Ceil);
    }

    function _toAssets(uint256 value, uint256 collateralPrice) internal view returns (uint256) {
        return value.mulDiv(COLLATERAL_UNIT, collateralPrice);
    }

    function _collateralFor(uint256 debtAmount, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (uint256)
    {
        return debtAmount.mulDiv(debtPrice * COLLATERAL_UNIT, collateralPrice * DEBT_UNIT);
    }

    function _debtFor(uint256 collateralAmount, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (uint256)
    {
        return collateralAmount.mulDiv(collateralPrice * DEBT_UNIT, debtPrice * COLLATERAL_UNIT);
    }

    /// @dev Oracle-bounded min out of selling `amountIn` (collateral when `sellCollateral`, else debt asset): its
    ///      oracle value less the max slippage, with two raw input units left out for the DEX's fee and price
    ///      rounding, which would otherwise refuse any tiny leg.
    function _minOut(bool sellCollateral, uint256 amountIn, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (uint256)
    {
        uint256 counted = amountIn > 2 ? amountIn - 2 : 0;
        uint256 fairOut = sellCollateral
            ? _debtFor(counted, collateralPrice, debtPrice)
            : _collateralFor(counted, collateralPrice, debtPrice);
        return fairOut.mulDiv(BPS - _slippageBps(), BPS);
    }

    /// @dev Price move (bps) a swap may make and stay inside its min out and the deviation bound: at most 1.5x the
    ///      slippage left after the pool fee and the pool's current adverse deviation (the average fill then keeps
    ///      ~1/4 of that room), and at most to `maxDeviationBps` from the oracle. `adverse` is, in signed bps of the
    ///      oracle price, how much worse than the oracle the pool pays for this trade (negative when better). 0 when
    ///      there is no room. The input for that move is `_maxInputWithinMove` (active range, for a deposit's bound)
    ///      or `_maxInputAcrossRanges` (the smallest liquidity over the move, for keeper chunks).
    function _moveWithinBounds(
        bool sellCollateral,
        uint256 spot,
        uint256 oraclePrice,
        uint256 slippageBps,
        uint256 maxDeviationBps
    ) internal view returns (uint256) {
        int256 adverse = sellCollateral ? int256(oraclePrice) - int256(spot) : int256(spot) - int256(oraclePrice);
        // Rounded against the trade (a part of a bp more adverse), as is the deviation room below (1 bp kept back
        // for the tick and rounding error of the liquidity estimate).
        adverse = adverse > 0
            ? (adverse * int256(BPS) + int256(oraclePrice) - 1) / int256(oraclePrice)
            : adverse * int256(BPS) / int256(oraclePrice);
        int256 slippageRoom = int256(slippageBps) - int256(_swapFeeBps()) - adverse;
        int256 move = slippageRoom * 3 / 2;
        int256 deviationRoom = int256(maxDeviationBps) - adverse - 1;
        if (deviationRoom < move) move = deviationRoom;
        if (move > int256(BPS / 2)) move = int256(BPS / 2);
        return move <= 0 ? 0 : uint256(move);
    }

    /// @dev The slippage (bps) swaps are held to now: the configured one, or an urgent action's wider one.
    function _slippageBps() internal view returns (uint256) {
        uint256 override_ = SLIPPAGE_OVERRIDE_SLOT.asUint256().tload();
        return override_ != 0 ? override_ : _vault().execution.maxSlippageBps;
    }

    /// @dev Sets (or with 0 clears) the slippage override for the rest of the transaction.
    function _overrideSlippage(uint256 slippageBps) internal {
        SLIPPAGE_OVERRIDE_SLOT.asUint256().tstore(slippageBps);
    }

    /// @dev Debt-asset units below which a leg is dust ($0.0001 for a dollar stablecoin): not worth a swap.
    function _dustDebt() internal view returns (uint256) {
        return DEBT_UNIT / 10_000 + 1;
    }

    /// @dev A stop (the guardian's or a stop trigger's) drops a pending re-arm: a re-arm submitted before the stop
    ///      must not undo it (ROLE-2).
    function _setMode(IVaultAutomation.Mode mode) internal {
        VaultLayout storage v = _vault();
        v.state.mode = mode;
        emit IVaultManagement.ModeChanged(mode, msg.sender);
        if (mode == IVaultAutomation.Mode.StoppedOut && v.pending[IVaultManagement.ChangeKind.Rearm].validAt != 0) {
            delete v.pending[IVaultManagement.ChangeKind.Rearm];
            emit IVaultManagement.ChangeRevoked(IVaultManagement.ChangeKind.Rearm, msg.sender);
        }
    }
}
