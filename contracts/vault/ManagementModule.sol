// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {IVaultFees} from "../interfaces/IVaultFees.sol";
import {LeverageEngine} from "./LeverageEngine.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {Delegation} from "../libraries/Delegation.sol";
import {ImmediateChanges} from "../risk/ImmediateChanges.sol";
import {DelegatedOnly} from "../base/DelegatedOnly.sol";

/// @title ManagementModule
/// @notice Roles, parameters and their timelock, run only through the vault's delegatecall (reached through the
///         automation module's fallback). A change applies at once only when its effect cannot hurt holders or the
///         automation (`ImmediateChanges`, ROLE-2); every other change waits out the timelock.
abstract contract ManagementModule is IVaultManagement, LeverageEngine, DelegatedOnly {
    using Math for uint256;

    /// @dev Target LTV must stay this far below the market's max LTV, band top this far below liquidation.
    uint256 public constant LTV_SAFETY_BUFFER_BPS = 500;
    uint256 public constant MAX_SLIPPAGE_BPS = 500;
    /// @dev The floor must sit this far below the health factor at target: a deposit lands a little above
    ///      target (the swap cost is not borrowed back), and must not trip the floor.
    uint256 public constant HEALTH_FLOOR_MARGIN_BPS = 200;
    uint256 public constant MAX_DEVIATION_BPS = 1000;
    uint256 public constant MAX_RIPCORD_REWARD_BPS = 100;
    uint256 public constant MAX_COOLDOWN = 7 days;
    /// @dev MetaMorpho's bounds.
    uint256 public constant MIN_TIMELOCK = 1 days;
    uint256 public constant MAX_TIMELOCK = 14 days;
    /// @dev A pending change not accepted within this long after `validAt` lapses.
    uint256 public constant PENDING_VALIDITY = 7 days;
    /// @dev Bounds of the volatility-aware leverage parameters.
    uint256 public constant MIN_VOLATILITY_HORIZON = 10 minutes;
    uint256 public constant MAX_VOLATILITY_HORIZON = 7 days;
    uint256 public constant MAX_SIGMA_MULTIPLE = 1000;
    uint256 public constant MAX_VOLATILITY_ROUNDS = 48;

    /// @notice keccak256 of the markets and oracle configuration; the automation module checks it equals its own.
    bytes32 public immutable MARKETS_HASH;
    /// @notice Serves the fee and keeper-pay settings (IVaultFees) and the settings' views (IVaultSettings) in the
    ///         vault's context.
    address public immutable SETTINGS_MODULE;

    constructor(bytes32 marketsHash, address settingsModule) {
        MARKETS_HASH = marketsHash;
        SETTINGS_MODULE = settingsModule;
    }

    /// @dev Fee selectors (IVaultFees) and views (IVaultSettings), delegated on with the same calldata. Not payable.
    fallback() external onlyDelegated {
        Delegation.forward(SETTINGS_MODULE);
    }

    modifier onlyOwner() {
        if (msg.sender != _vault().owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _;
    }

    modifier onlyManager() {
        VaultLayout storage v = _vault();
        if (msg.sender != v.manager && msg.sender != v.owner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- roles

    /// @inheritdoc IVaultManagement
    function initialize(InitParams calldata params) external onlyDelegated {
        VaultLayout storage v = _vault();
        if (v.initialized) revert VaultAlreadyInitialized();
        v.initialized = true;
        if (params.owner == address(0)) revert ILeverageVault.VaultInvalidRole();
        v.owner = params.owner;
        emit OwnershipTransferred(address(0), params.owner);
        _setManager(params.manager);
        // Cross-checks read the other configurations: leverage and execution first, their checks skip what
        // is still unset. One call site: the same validation as any later change.
        ChangeKind[7] memory kinds = [
            ChangeKind.Guardian,
            ChangeKind.Timelock,
            ChangeKind.Leverage,
            ChangeKind.Execution,
            ChangeKind.Automation,
            ChangeKind.Exit,
            ChangeKind.Volatility
        ];
        bytes[7] memory values = [
            abi.encode(params.guardian),
            abi.encode(MIN_TIMELOCK),
            abi.encode(params.leverage),
            abi.encode(params.execution),
            abi.encode(params.automation),
            abi.encode(params.exits),
            abi.encode(params.volatility)
        ];
        for (uint256 i; i < kinds.length; ++i) {
            _apply(kinds[i], values[i], true);
        }
    }

    /// @inheritdoc IVaultManagement
    function setRoles(address newManager, address newGuardian) external onlyDelegated onlyOwner {
        _setManager(newManager);
        _change(ChangeKind.Guardian, abi.encode(newGuardian), newGuardian == _vault().guardian);
    }

    /// @inheritdoc IVaultManagement
    function stop() external onlyDelegated {
        _onlyGuardianOrManager();
        _setMode(IVaultAutomation.Mode.StoppedOut);
    }

    /// @inheritdoc IVaultManagement
    function rearm() external onlyDelegated onlyManager {
        _change(ChangeKind.Rearm, "", false);
    }

    /// @inheritdoc IVaultManagement
    function venueRates() external view onlyDelegated returns (uint256 supplyRatePerYear, uint256 borrowRatePerYear) {
        return (_supplyRatePerYear(), _borrowRatePerYear());
    }

    // ---------------------------------------------------------------- parameters

    /// @inheritdoc IVaultManagement
    function setLeverageConfig(ILeverageVault.LeverageConfig calldata config) external onlyDelegated onlyManager {
        _change(ChangeKind.Leverage, abi.encode(config), ImmediateChanges.leverage(config, _vault().leverage));
    }

    /// @inheritdoc IVaultManagement
    function setExecutionConfig(ILeverageVault.ExecutionConfig calldata config) external onlyDelegated onlyManager {
        _change(ChangeKind.Execution, abi.encode(config), ImmediateChanges.execution(config, _vault().execution));
    }

    /// @inheritdoc IVaultManagement
    function setAutomationConfig(IVaultAutomation.AutomationConfig calldata config) external onlyDelegated onlyManager {
        _change(ChangeKind.Automation, abi.encode(config), ImmediateChanges.automation(config, _vault().automation));
    }

    /// @inheritdoc IVaultManagement
    function setExitConfig(IVaultAutomation.ExitConfig calldata config) external onlyDelegated onlyManager {
        _change(ChangeKind.Exit, abi.encode(config), ImmediateChanges.exits(config, _vault().exits));
    }

    /// @inheritdoc IVaultManagement
    function setVolatilityConfig(IVaultAutomation.VolatilityConfig calldata config) external onlyDelegated onlyManager {
        _change(ChangeKind.Volatility, abi.encode(config), ImmediateChanges.volatility(config, _vault().volatility));
    }

    /// @inheritdoc IVaultManagement
    function setTimelock(uint256 newTimelock) external onlyDelegated onlyOwner {
        _change(ChangeKind.Timelock, abi.encode(newTimelock), newTimelock >= _vault().timelock);
    }

    /// @inheritdoc IVaultManagement
    function acceptChange(ChangeKind kind) external onlyDelegated {
        PendingChange storage pending = _vault().pending[kind];
        uint256 validAt = pending.validAt;
        if (validAt == 0) revert VaultNoPendingChange(kind);
        if (block.timestamp < validAt) revert VaultTimelockNotElapsed(validAt);
        if (block.timestamp > validAt + PENDING_VALIDITY) revert VaultPendingChangeExpired(validAt + PENDING_VALIDITY);
        bytes memory data = pending.data;
        delete _vault().pending[kind];
        _apply(kind, data, true);
    }

    /// @inheritdoc IVaultManagement
    function revokeChange(ChangeKind kind) external onlyDelegated {
        _onlyGuardianOrManager();
        if (_vault().pending[kind].validAt == 0) revert VaultNoPendingChange(kind);
        delete _vault().pending[kind];
        emit ChangeRevoked(kind, msg.sender);
    }

    // ---------------------------------------------------------------- internals

    function _onlyGuardianOrManager() private view {
        VaultLayout storage v = _vault();
        if (msg.sender != v.guardian && msg.sender != v.manager && msg.sender != v.owner) {
            revert ILeverageVault.VaultUnauthorized(msg.sender);
        }
    }

    /// @dev Applies `data` of `kind` at once (dropping what was pending of that kind) or submits it; either way it
    ///      is validated once, here, and again when a pending change is accepted.
    function _change(ChangeKind kind, bytes memory data, bool atOnce) private {
        _apply(kind, data, atOnce);
        if (atOnce) {
            _drop(kind);
        } else {
            uint64 validAt = uint64(block.timestamp + _vault().timelock);
            _vault().pending[kind] = PendingChange(data, validAt);
            emit ChangeSubmitted(kind, data, validAt);
        }
    }

    /// @dev A value applied at once replaces whatever of its kind was pending.
    function _drop(ChangeKind kind) private {
        if (_vault().pending[kind].validAt != 0) {
            delete _vault().pending[kind];
            emit ChangeRevoked(kind, msg.sender);
        }
    }

    /// @dev Validates `data` of `kind` against the market and the other configurations as they are now; stores it
    ///      when `store`.
    function _apply(ChangeKind kind, bytes memory data, bool store) private {
        VaultLayout storage v = _vault();
        if (kind == ChangeKind.Leverage) {
            ILeverageVault.LeverageConfig memory config = abi.decode(data, (ILeverageVault.LeverageConfig));
            _validateLeverageConfig(config);
            if (!store) return;
            v.leverage = config;
            emit LeverageConfigSet(config);
        } else if (kind == ChangeKind.Execution) {
            ILeverageVault.ExecutionConfig memory config = abi.decode(data, (ILeverageVault.ExecutionConfig));
            _validateExecutionConfig(config);
            if (!store) return;
            _setSwapRoute(config.swapFee);
            v.execution = config;
            emit ExecutionConfigSet(config);
        } else if (kind == ChangeKind.Automation) {
            IVaultAutomation.AutomationConfig memory config = abi.decode(data, (IVaultAutomation.AutomationConfig));
            _validateAutomationConfig(config);
            if (!store) return;
            v.automation = config;
            emit AutomationConfigSet(config);
        } else if (kind == ChangeKind.Exit) {
            IVaultAutomation.ExitConfig memory config = abi.decode(data, (IVaultAutomation.ExitConfig));
            _validateExitConfig(config);
            if (!store) return;
            v.exits = config;
            emit ExitConfigSet(config);
        } else if (kind == ChangeKind.Volatility) {
            IVaultAutomation.VolatilityConfig memory config = abi.decode(data, (IVaultAutomation.VolatilityConfig));
            _validateVolatilityConfig(config);
            if (!store) return;
            v.volatility = config;
            emit VolatilityConfigSet(config);
        } else if (kind == ChangeKind.Timelock) {
            uint256 newTimelock = abi.decode(data, (uint256));
            if (newTimelock < MIN_TIMELOCK || newTimelock > MAX_TIMELOCK) revert VaultInvalidTimelock(newTimelock);
            if (!store) return;
            v.timelock = uint64(newTimelock);
            emit TimelockSet(newTimelock);
        } else if (kind >= ChangeKind.Fees) {
            // Fees, keeper pay, the outage path and the venue: served by the settings module, through an external
            // call to the vault itself, which routes it there.
            IVaultFees(address(this)).applyFeeChange(kind, data, store);
        } else if (kind == ChangeKind.Guardian) {
            address newGuardian = abi.decode(data, (address));
            if (newGuardian == address(0)) revert ILeverageVault.VaultInvalidRole();
            if (!store) return;
            v.guardian = newGuardian;
            emit RolesSet(v.manager, newGuardian);
        } else {
            // A re-arm undoes a latched mode only: submitted and accepted while the vault is still latched.
            if (v.state.mode == IVaultAutomation.Mode.Active) revert VaultNotStopped();
            if (!store) return;
            (uint256 collateralPrice, uint256 debtPrice) = _prices();
            v.state.highWaterMark = uint128(collateralPrice.mulDiv(WAD, debtPrice));
            _setMode(IVaultAutomation.Mode.Active);
        }
    }

    function _setManager(address newManager) private {
        if (newManager == address(0)) revert ILeverageVault.VaultInvalidRole();
        VaultLayout storage v = _vault();
        v.manager = newManager;
        emit RolesSet(newManager, v.guardian);
    }

    function _validateLeverageConfig(ILeverageVault.LeverageConfig memory config) private view {
        VaultLayout storage v = _vault();
        uint256 maxLtv = _maxLtvBps() - LTV_SAFETY_BUFFER_BPS;
        uint256 liquidationThreshold = _liquidationThresholdBps();
        bool valid = config.minLeverage >= WAD && config.minLeverage <= config.targetLeverage
            && config.targetLeverage <= config.maxLeverage && LeverageMath.ltvBps(config.targetLeverage) <= maxLtv
            && LeverageMath.ltvBps(config.maxLeverage) <= liquidationThreshold - LTV_SAFETY_BUFFER_BPS
            && config.minHealthFactor > WAD && config.minHealthFactor >= v.automation.criticalHealthFactor
            && config.targetLeverage >= v.exits.takeProfitLeverage && config.targetLeverage >= v.volatility.floorLeverage
            && (config.targetLeverage == WAD
                || uint256(config.minHealthFactor).mulDiv(BPS + HEALTH_FLOOR_MARGIN_BPS, BPS)
                    <= liquidationThreshold.mulDiv(WAD, LeverageMath.ltvBps(config.targetLeverage)));
        if (!valid) revert ILeverageVault.VaultInvalidLeverageConfig(config, maxLtv);
    }

    /// @dev The slippage must exceed the pool fee, or no trade could ever meet its min out.
    function _validateExecutionConfig(ILeverageVault.ExecutionConfig memory config) private view {
        _checkSwapRoute(config.swapFee);
        uint256 lossBps = _vault().automation.maxEquityLossBps;
        // Until the automation is configured (during `initialize`) there is no loss bound to fit under.
        if (
            config.maxSlippageBps == 0 || config.maxSlippageBps > MAX_SLIPPAGE_BPS
                || uint256(config.maxSlippageBps) * 100 <= config.swapFee
                || (lossBps != 0 && config.maxSlippageBps + _flashLoanPremiumBps() > lossBps)
        ) {
            revert ILeverageVault.VaultInvalidExecutionConfig(config);
        }
    }

    /// @dev The loss bound covers the worst swap the slippage allows plus the flash premium: otherwise a keeper
    ///      action the trigger announces could pass every trade guard and still fail its post-condition.
    function _validateAutomationConfig(IVaultAutomation.AutomationConfig memory config) private view {
        VaultLayout storage v = _vault();
        bool valid = config.criticalHealthFactor > WAD && config.criticalHealthFactor <= v.leverage.minHealthFactor
            && config.maxDexDeviationBps != 0 && config.maxDexDeviationBps <= MAX_DEVIATION_BPS
            && config.maxEquityLossBps <= MAX_DEVIATION_BPS
            && config.maxEquityLossBps >= v.execution.maxSlippageBps + _flashLoanPremiumBps()
            && config.ripcordRewardBps <= MAX_RIPCORD_REWARD_BPS && config.maxTradeSize != 0
            && config.cooldown <= MAX_COOLDOWN;
        if (!valid) revert KeeperInvalidAutomationConfig(config);
    }

    function _validateExitConfig(IVaultAutomation.ExitConfig memory config) private view {
        bool valid = config.takeProfitLeverage >= WAD && config.takeProfitLeverage <= _vault().leverage.targetLeverage
            && (config.stopLossPrice == 0 || config.takeProfitPrice == 0 || config.stopLossPrice < config.takeProfitPrice)
            && config.trailBps < BPS / 2;
        if (!valid) revert KeeperInvalidExitConfig(config);
    }

    function _validateVolatilityConfig(IVaultAutomation.VolatilityConfig memory config) private view {
        bool valid = config.horizon == 0
            || (config.horizon >= MIN_VOLATILITY_HORIZON && config.horizon <= MAX_VOLATILITY_HORIZON
                && config.sigmaMultiple >= 100 && config.sigmaMultiple <= MAX_SIGMA_MULTIPLE && config.rounds >= 2
                && config.rounds <= MAX_VOLATILITY_ROUNDS && config.floorLeverage >= WAD
                && config.floorLeverage <= _vault().leverage.targetLeverage);
        if (!valid) revert KeeperInvalidVolatilityConfig(config);
    }
}
