// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultEmergency} from "../interfaces/IVaultEmergency.sol";
import {IVaultKeeper, IVaultKeeperViews} from "../interfaces/IVaultAutomation.sol";
import {AutomationModule} from "./AutomationModule.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {RiskPolicy} from "../risk/RiskPolicy.sol";
import {OutageSettings} from "../risk/OutageSettings.sol";

/// @title EmergencyModule
/// @notice The vault's emergency paths, run only through the vault's delegatecall (reached through the automation
///         module's fallback): the permissionless ripcord and the oracle-outage deleverage (OUTAGE-1). Both reuse the
///         keeper's guards, sizing and post-conditions (AutomationModule's internals). The outage path's settings
///         are the settings module's (IVaultOutageSettings). It also serves the keepers' views (IVaultKeeperViews):
///         the same decision and guards `rebalance` runs (TRIGGER-1), here so that the automation module keeps room.
abstract contract EmergencyModule is IVaultEmergency, IVaultKeeperViews, AutomationModule {
    using Math for uint256;

    uint256 private constant HOUR = 3600;

    constructor(bytes32 marketsHash) AutomationModule(marketsHash) {}

    /// @inheritdoc IVaultEmergency
    function ripcord() external onlyDelegated nonReentrant returns (uint256 reward) {
        _accrueFee();
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        if (_sweepIdle(before)) before = _position(collateralPrice, debtPrice, liquidationThreshold);
        AutomationConfig memory config = _vault().automation;
        if (before.healthFactor >= config.criticalHealthFactor) {
            revert KeeperRipcordNotArmed(before.healthFactor, config.criticalHealthFactor);
        }
        (uint256 maxTrade, uint256 slippageBps) = _enterTrade(Action.Ripcord, before, collateralPrice, debtPrice);
        // The same aim as a health deleverage: back above the floor, not merely to the configured target.
        uint256 target = Math.min(
            _effectiveTargetLeverage(), RiskPolicy.healthRestoringLeverage(_vault().leverage, liquidationThreshold)
        );
        _takeDebtRepaid(); // count from here: what this ripcord's own moves repay
        bool ownLiquidation = _deleverToward(target, before, collateralPrice, debtPrice, maxTrade, liquidationThreshold);

        // RIPCORD-1: the reward is linear in the debt this call repaid, so slivers never earn more than one call.
        uint256 repaid = _takeDebtRepaid();
        uint256 rewardValue = Math.min(
            repaid.mulDiv(debtPrice, DEBT_UNIT).mulDiv(config.ripcordRewardBps, BPS),
            uint256(config.ripcordRewardCap).mulDiv(collateralPrice, COLLATERAL_UNIT).mulDiv(repaid, config.maxTradeSize)
        );
        reward = _toAssets(rewardValue, collateralPrice);
        // Below a market health factor of 1 nothing can be withdrawn: the reward comes out of the bonus left idle.
        if (ownLiquidation) reward = Math.min(reward, IERC20(COLLATERAL_ASSET).balanceOf(address(this)));
        rewardValue = reward.mulDiv(collateralPrice, COLLATERAL_UNIT, Math.Rounding.Ceil);
        if (reward != 0) _sendCollateral(msg.sender, reward);
        if (ownLiquidation) _supplyIdleCollateral();

        _checkPostConditions(
            Action.Ripcord,
            target,
            before,
            _position(collateralPrice, debtPrice, liquidationThreshold),
            collateralPrice,
            debtPrice,
            rewardValue,
            _lossAllowanceBps(slippageBps, ownLiquidation)
        );
        _overrideSlippage(0);
        _noteKeeperTrade();
        emit RipcordRewardPaid(msg.sender, reward);
    }

    /// @inheritdoc IVaultEmergency
    function outageDelever() external onlyDelegated nonReentrant returns (uint256 repaid) {
        OutageConfig memory config = _outageConfig();
        (uint256 collateralPrice, uint256 debtPrice, uint256 twap) = _outagePrices(config);
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        if (_sweepIdle(before)) before = _position(collateralPrice, debtPrice, liquidationThreshold);
        ILeverageVault.LeverageConfig memory leverage = _vault().leverage;
        // Only a deleverage, and only when the reference price says the position needs one.
        if (before.debt == 0 || (before.healthFactor >= leverage.minHealthFactor && before.leverage <= leverage.maxLeverage)) {
            revert OutageNothingToDelever(before.healthFactor, before.leverage);
        }
        // The caps: per call, and per clock hour of what the debt was at the hour's first call.
        OutageState memory state = _vault().outageState;
        uint256 hour = block.timestamp / HOUR;
        if (state.hour != hour) state = OutageState(uint32(hour), uint112(before.debt), 0);
        uint256 hourlyCap = uint256(state.hourDebt).mulDiv(config.maxHourlyBps, BPS);
        if (state.hourRepaid + _dustDebt() >= hourlyCap) revert OutageHourlyCapReached(state.hourRepaid, hourlyCap);
        (uint256 maxTrade, uint256 slippageBps) = _enterTrade(Action.OutageDelever, before, collateralPrice, debtPrice);
        maxTrade = Math.min(
            maxTrade, Math.min(before.debt.mulDiv(config.maxActionBps, BPS), hourlyCap - state.hourRepaid)
        );
        // The same aim as a health deleverage: back above the floor, not merely to the configured target.
        uint256 target = Math.min(
            _effectiveTargetLeverage(), RiskPolicy.healthRestoringLeverage(leverage, liquidationThreshold)
        );
        _takeDebtRepaid();
        bool ownLiquidation = _deleverToward(target, before, collateralPrice, debtPrice, maxTrade, liquidationThreshold);
        if (ownLiquidation) _supplyIdleCollateral();
        repaid = _takeDebtRepaid();
        state.hourRepaid += uint112(repaid);
        _vault().outageState = state;
        // The keeper's post-conditions, valued at the reference price (VAULT-HF-1, VAULT-LEV-1, VAULT-EQ-1).
        _checkPostConditions(
            Action.OutageDelever,
            target,
            before,
            _position(collateralPrice, debtPrice, liquidationThreshold),
            collateralPrice,
            debtPrice,
            0,
            _lossAllowanceBps(slippageBps, ownLiquidation)
        );
        _overrideSlippage(0);
        _noteKeeperTrade();
        emit OutageDelevered(msg.sender, repaid, before.price, twap);
    }

    // ---------------------------------------------------------------- keeper views (IVaultKeeperViews)

    /// @inheritdoc IVaultKeeperViews
    function trigger() public view returns (bool needed, Action action, bytes memory callData) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, liquidationThreshold);
        (action,) = _decide(s, collateralPrice, debtPrice, liquidationThreshold);
        needed = action != Action.None;
        if (_trades(action)) {
            (,, bytes memory blocked) = _actionGuards(action, s, collateralPrice, debtPrice);
            needed = blocked.length == 0;
        }
        if (needed) callData = abi.encodeCall(IVaultKeeper.rebalance, ());
    }

    /// @inheritdoc IVaultKeeperViews
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        Action action;
        (upkeepNeeded, action,) = trigger();
        performData = abi.encode(action);
    }

    /// @inheritdoc IVaultKeeperViews
    function checker() external view returns (bool canExec, bytes memory execPayload) {
        (canExec,, execPayload) = trigger();
    }

    /// @inheritdoc IVaultKeeperViews
    function effectiveTargetLeverage() external view returns (uint256 target, uint256 sigmaPerSqrtSecond) {
        return _volatilityAdjustedTarget();
    }

    /// @inheritdoc IVaultKeeperViews
    function healthActionBounds() external view returns (uint256 slippageBps, uint256 maxDexDeviationBps) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, _liquidationThresholdBps());
        return _bounds(Action.DeleverHealth, s.healthFactor);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The prices the outage path runs on, wad USD per whole token: the debt feed's last answer, and the
    ///      collateral at the reference price min(pool TWAP, the feeds' last ratio) in that debt unit; reverts unless
    ///      a feed has been stale past its heartbeat plus the grace period and the spot is within the bound of the
    ///      TWAP. Returns the TWAP too (wad debt per collateral).
    function _outagePrices(OutageConfig memory config)
        private
        view
        returns (uint256 collateralPrice, uint256 debtPrice, uint256 twap)
    {
        uint256 staleFrom;
        (collateralPrice, debtPrice, staleFrom) = _lastPrices();
        if (block.timestamp <= staleFrom) revert OutageFeedsFresh();
        if (block.timestamp < staleFrom + config.gracePeriod) revert OutageGracePeriod(staleFrom + config.gracePeriod);
        twap = _twapPrice(config.twapWindow);
        uint256 spot = _spotPrice();
        if (LeverageMath.distance(spot, twap) * BPS > twap * config.maxTwapDeviationBps) {
            revert OutageTwapDeviation(spot, twap);
        }
        // Never above the last answer: the path does not value the collateral higher than the oracle last did.
        uint256 referencePrice = Math.min(twap, collateralPrice.mulDiv(WAD, debtPrice));
        collateralPrice = referencePrice.mulDiv(debtPrice, WAD);
    }

    function _outageConfig() private view returns (OutageConfig memory) {
        return OutageSettings.withDefaults(_vault().outage);
    }
}
