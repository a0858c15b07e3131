// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultEmergency} from "../interfaces/IVaultEmergency.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {AutomationModule} from "./AutomationModule.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {RiskPolicy} from "../risk/RiskPolicy.sol";

/// @title EmergencyModule
/// @notice The vault's emergency paths, run only through the vault's delegatecall (reached through the automation
///         module's fallback): the permissionless ripcord and the oracle-outage deleverage (OUTAGE-1). Both reuse the
///         keeper's guards, sizing and post-conditions (AutomationModule's internals).
abstract contract EmergencyModule is IVaultEmergency, AutomationModule {
    using Math for uint256;

    uint256 private constant HOUR = 3600;
    /// @notice Defaults of a zero OutageConfig field, and the bounds a configured one must respect.
    uint32 public constant DEFAULT_OUTAGE_GRACE = 600;
    uint32 public constant DEFAULT_TWAP_WINDOW = 1800;
    uint16 public constant DEFAULT_TWAP_DEVIATION_BPS = 500;
    uint16 public constant DEFAULT_OUTAGE_ACTION_BPS = 2500;
    uint16 public constant DEFAULT_OUTAGE_HOURLY_BPS = 5000;
    uint32 public constant MIN_TWAP_WINDOW = 600;
    uint32 public constant MAX_TWAP_WINDOW = 7200;
    uint32 public constant MIN_OUTAGE_GRACE = 60;
    uint32 public constant MAX_OUTAGE_GRACE = 1 days;

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

    /// @inheritdoc IVaultEmergency
    function setOutageConfig(OutageConfig calldata config) external onlyDelegated {
        VaultLayout storage v = _vault();
        if (msg.sender != v.manager && msg.sender != v.owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _validateOutageConfig(config);
        // Both directions wait: a shorter window or a wider bound opens the path to cheaper manipulation, a longer
        // grace or smaller caps slow the backstop (ROLE-2 (b)).
        bytes memory data = abi.encode(config);
        uint64 validAt = uint64(block.timestamp + v.timelock);
        v.pending[IVaultManagement.ChangeKind.Outage] = PendingChange(data, validAt);
        emit IVaultManagement.ChangeSubmitted(IVaultManagement.ChangeKind.Outage, data, validAt);
    }

    /// @notice `acceptChange(ChangeKind.Outage)`: the automation module's fallback sends only that kind here.
    function acceptChange(IVaultManagement.ChangeKind kind) external onlyDelegated {
        PendingChange storage pending = _vault().pending[kind];
        uint256 validAt = pending.validAt;
        if (kind != IVaultManagement.ChangeKind.Outage || validAt == 0) revert IVaultManagement.VaultNoPendingChange(kind);
        if (block.timestamp < validAt) revert IVaultManagement.VaultTimelockNotElapsed(validAt);
        uint256 expiry = validAt + 7 days;
        if (block.timestamp > expiry) revert IVaultManagement.VaultPendingChangeExpired(expiry);
        OutageConfig memory config = abi.decode(pending.data, (OutageConfig));
        delete _vault().pending[kind];
        _validateOutageConfig(config);
        _vault().outage = config;
        emit OutageConfigSet(config);
    }

    /// @inheritdoc IVaultEmergency
    function outageConfig() external view returns (OutageConfig memory) {
        return _outageConfig();
    }

    /// @inheritdoc IVaultEmergency
    function outageState() external view returns (OutageState memory) {
        return _vault().outageState;
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

    function _outageConfig() private view returns (OutageConfig memory config) {
        config = _vault().outage;
        if (config.gracePeriod == 0) config.gracePeriod = DEFAULT_OUTAGE_GRACE;
        if (config.twapWindow == 0) config.twapWindow = DEFAULT_TWAP_WINDOW;
        if (config.maxTwapDeviationBps == 0) config.maxTwapDeviationBps = DEFAULT_TWAP_DEVIATION_BPS;
        if (config.maxActionBps == 0) config.maxActionBps = DEFAULT_OUTAGE_ACTION_BPS;
        if (config.maxHourlyBps == 0) config.maxHourlyBps = DEFAULT_OUTAGE_HOURLY_BPS;
    }

    /// @dev Zero fields take their defaults; set ones must be within bounds: the TWAP window 10 min .. 2 h, the
    ///      grace 1 min .. 1 day, the TWAP deviation at most the hard DEX-deviation bound (10 %), a call's cap at
    ///      most the hour's.
    function _validateOutageConfig(OutageConfig memory config) private pure {
        bool valid = (config.twapWindow == 0 || (config.twapWindow >= MIN_TWAP_WINDOW && config.twapWindow <= MAX_TWAP_WINDOW))
            && (config.gracePeriod == 0 || (config.gracePeriod >= MIN_OUTAGE_GRACE && config.gracePeriod <= MAX_OUTAGE_GRACE))
            && config.maxTwapDeviationBps <= 1000 && config.maxHourlyBps <= BPS
            && (config.maxActionBps == 0 ? DEFAULT_OUTAGE_ACTION_BPS : config.maxActionBps)
                <= (config.maxHourlyBps == 0 ? DEFAULT_OUTAGE_HOURLY_BPS : config.maxHourlyBps);
        if (!valid) revert OutageInvalidConfig(config);
    }
}
