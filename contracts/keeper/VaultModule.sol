// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageEngine} from "../vault/LeverageEngine.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {RiskPolicy} from "../risk/RiskPolicy.sol";
import {PostConditions} from "../risk/PostConditions.sol";

/// @title VaultModule
/// @notice Management and guarded automation of a leveraged vault, run only through the vault's delegatecall
///         (same storage namespace, same immutables). Keepers choose only when to call: band rebalances, health
///         floor, stop-loss, take-profit, trailing stop and the permissionless ripcord each pass oracle,
///         market, size, timing and post-condition guards, and nothing a keeper passes is used.
abstract contract VaultModule is IVaultManagement, IVaultAutomation, LeverageEngine {
    using SafeERC20 for IERC20;
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
    /// @dev A keeper raises the trailing stop's mark once the price is trail / POKE_FRACTION above it.
    uint256 internal constant POKE_FRACTION = 10;

    /// @notice keccak256 of the markets and oracle configuration; the vault checks it equals its own.
    bytes32 public immutable MARKETS_HASH;
    address private immutable SELF;

    constructor(bytes32 marketsHash) {
        MARKETS_HASH = marketsHash;
        SELF = address(this);
    }

    modifier onlyDelegated() {
        if (address(this) == SELF) revert KeeperNotDelegated();
        _;
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

    modifier onlyKeeper() {
        if (!_vault().keepers[msg.sender]) revert ILeverageVault.VaultUnauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- keeper entry points

    /// @inheritdoc IVaultAutomation
    function rebalance() external onlyDelegated nonReentrant onlyKeeper returns (Action) {
        return _rebalance();
    }

    /// @inheritdoc IVaultAutomation
    function performUpkeep(bytes calldata) external onlyDelegated nonReentrant onlyKeeper {
        _rebalance();
    }

    /// @inheritdoc IVaultAutomation
    function ripcord() external onlyDelegated nonReentrant returns (uint256 reward) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        AutomationConfig memory config = _vault().automation;
        if (before.healthFactor >= config.criticalHealthFactor) {
            revert KeeperRipcordNotArmed(before.healthFactor, config.criticalHealthFactor);
        }
        _checkDexDeviation(before.price, config.maxDexDeviationBps);
        uint256 target = _effectiveTargetLeverage();
        _deleverToward(target, before, collateralPrice, debtPrice, _tradeCap(true, collateralPrice, debtPrice, config.maxTradeSize));

        uint256 rewardValue = Math.min(
            before.equityValue.mulDiv(config.ripcordRewardBps, BPS),
            uint256(config.ripcordRewardCap).mulDiv(collateralPrice, COLLATERAL_UNIT)
        );
        reward = _toAssets(rewardValue, collateralPrice);
        if (reward != 0) _sendCollateral(msg.sender, reward);

        _checkPostConditions(
            Action.Ripcord,
            target,
            before,
            _position(collateralPrice, debtPrice, liquidationThreshold),
            debtPrice,
            rewardValue
        );
        emit RipcordRewardPaid(msg.sender, reward);
    }

    /// @inheritdoc IVaultAutomation
    function poke() external onlyDelegated {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        _onInteraction(collateralPrice.mulDiv(WAD, debtPrice));
    }

    // ---------------------------------------------------------------- keeper views

    /// @inheritdoc IVaultAutomation
    function trigger() public view returns (bool needed, Action action, bytes memory callData) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, liquidationThreshold);
        VaultLayout storage v = _vault();
        AutomationState memory state = v.state;
        (action,) = RiskPolicy.decide(
            s, v.leverage, v.exits, state.mode, Math.max(state.highWaterMark, s.price), liquidationThreshold
        );
        if (RiskPolicy.isBandAction(action) && block.timestamp < _cooldownEnd(state)) action = Action.None;
        if (action == Action.None && _pokeDue(s.price, state, v.exits.trailBps)) action = Action.Poke;
        needed = action != Action.None;
        if (needed) callData = abi.encodeCall(IVaultAutomation.rebalance, ());
    }

    /// @inheritdoc IVaultAutomation
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        Action action;
        (upkeepNeeded, action,) = trigger();
        performData = abi.encode(action);
    }

    /// @inheritdoc IVaultAutomation
    function checker() external view returns (bool canExec, bytes memory execPayload) {
        (canExec,, execPayload) = trigger();
    }

    // ---------------------------------------------------------------- management

    /// @inheritdoc IVaultManagement
    function initialize(InitParams calldata params) external onlyDelegated {
        VaultLayout storage v = _vault();
        if (v.initialized) revert VaultAlreadyInitialized();
        v.initialized = true;
        if (params.owner == address(0)) revert ILeverageVault.VaultInvalidRole();
        v.owner = params.owner;
        emit OwnershipTransferred(address(0), params.owner);
        _setRoles(params.manager, params.guardian);
        _setLeverageConfig(params.leverage);
        _setExecutionConfig(params.execution);
        _setAutomationConfig(params.automation);
        _setExitConfig(params.exits);
    }

    /// @inheritdoc IVaultManagement
    function transferOwnership(address newOwner) external onlyOwner {
        _vault().pendingOwner = newOwner;
        emit OwnershipTransferStarted(msg.sender, newOwner);
    }

    /// @inheritdoc IVaultManagement
    function acceptOwnership() external {
        VaultLayout storage v = _vault();
        if (msg.sender != v.pendingOwner) revert ILeverageVault.VaultUnauthorized(msg.sender);
        emit OwnershipTransferred(v.owner, msg.sender);
        v.owner = msg.sender;
        v.pendingOwner = address(0);
    }

    /// @inheritdoc IVaultManagement
    function setRoles(address newManager, address newGuardian) external onlyOwner {
        _setRoles(newManager, newGuardian);
    }

    /// @inheritdoc IVaultManagement
    function setDepositsPaused(bool paused) external {
        VaultLayout storage v = _vault();
        bool isManager = msg.sender == v.manager || msg.sender == v.owner;
        if (!isManager && !(paused && msg.sender == v.guardian)) revert ILeverageVault.VaultUnauthorized(msg.sender);
        v.depositsPaused = paused;
        emit DepositsPausedSet(msg.sender, paused);
    }

    /// @inheritdoc IVaultManagement
    function setLeverageConfig(ILeverageVault.LeverageConfig calldata config) external onlyManager {
        _setLeverageConfig(config);
    }

    /// @inheritdoc IVaultManagement
    function setExecutionConfig(ILeverageVault.ExecutionConfig calldata config) external onlyManager {
        _setExecutionConfig(config);
    }

    /// @inheritdoc IVaultManagement
    function setKeeper(address keeper, bool allowed) external onlyManager {
        _vault().keepers[keeper] = allowed;
        emit KeeperSet(keeper, allowed);
    }

    /// @inheritdoc IVaultManagement
    function setAutomationConfig(AutomationConfig calldata config) external onlyManager {
        _setAutomationConfig(config);
    }

    /// @inheritdoc IVaultManagement
    function setExitConfig(ExitConfig calldata config) external onlyManager {
        _setExitConfig(config);
    }

    /// @inheritdoc IVaultManagement
    function stop() external {
        VaultLayout storage v = _vault();
        if (msg.sender != v.guardian && msg.sender != v.manager && msg.sender != v.owner) {
            revert ILeverageVault.VaultUnauthorized(msg.sender);
        }
        _setMode(Mode.StoppedOut);
    }

    /// @inheritdoc IVaultManagement
    function rearm() external onlyManager {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        _vault().state.highWaterMark = uint128(collateralPrice.mulDiv(WAD, debtPrice));
        _setMode(Mode.Active);
    }

    /// @inheritdoc IVaultManagement
    function owner() external view returns (address) {
        return _vault().owner;
    }

    /// @inheritdoc IVaultManagement
    function pendingOwner() external view returns (address) {
        return _vault().pendingOwner;
    }

    /// @inheritdoc IVaultManagement
    function manager() external view returns (address) {
        return _vault().manager;
    }

    /// @inheritdoc IVaultManagement
    function guardian() external view returns (address) {
        return _vault().guardian;
    }

    /// @inheritdoc IVaultManagement
    function depositsPaused() external view returns (bool) {
        return _vault().depositsPaused;
    }

    /// @inheritdoc IVaultManagement
    function isKeeper(address account) external view returns (bool) {
        return _vault().keepers[account];
    }

    /// @inheritdoc IVaultManagement
    function leverageConfig() external view returns (ILeverageVault.LeverageConfig memory) {
        return _vault().leverage;
    }

    /// @inheritdoc IVaultManagement
    function executionConfig() external view returns (ILeverageVault.ExecutionConfig memory) {
        return _vault().execution;
    }

    /// @inheritdoc IVaultManagement
    function automationConfig() external view returns (AutomationConfig memory) {
        return _vault().automation;
    }

    /// @inheritdoc IVaultManagement
    function exitConfig() external view returns (ExitConfig memory) {
        return _vault().exits;
    }

    /// @inheritdoc IVaultManagement
    function automationState() external view returns (AutomationState memory) {
        return _vault().state;
    }

    function _setRoles(address newManager, address newGuardian) internal {
        if (newManager == address(0) || newGuardian == address(0)) revert ILeverageVault.VaultInvalidRole();
        VaultLayout storage v = _vault();
        v.manager = newManager;
        v.guardian = newGuardian;
        emit RolesSet(newManager, newGuardian);
    }

    function _setLeverageConfig(ILeverageVault.LeverageConfig memory config) internal {
        uint256 maxLtv = _maxLtvBps() - LTV_SAFETY_BUFFER_BPS;
        uint256 liquidationThreshold = _liquidationThresholdBps();
        bool valid = config.minLeverage >= WAD && config.minLeverage <= config.targetLeverage
            && config.targetLeverage <= config.maxLeverage && LeverageMath.ltvBps(config.targetLeverage) <= maxLtv
            && LeverageMath.ltvBps(config.maxLeverage) <= liquidationThreshold - LTV_SAFETY_BUFFER_BPS
            && config.minHealthFactor > WAD
            && (config.targetLeverage == WAD
                || uint256(config.minHealthFactor).mulDiv(BPS + HEALTH_FLOOR_MARGIN_BPS, BPS)
                    <= liquidationThreshold.mulDiv(WAD, LeverageMath.ltvBps(config.targetLeverage)));
        if (!valid) revert ILeverageVault.VaultInvalidLeverageConfig(config, maxLtv);
        _vault().leverage = config;
        emit LeverageConfigSet(config);
    }

    function _setExecutionConfig(ILeverageVault.ExecutionConfig memory config) internal {
        if (config.maxSlippageBps == 0 || config.maxSlippageBps > MAX_SLIPPAGE_BPS) {
            revert ILeverageVault.VaultInvalidExecutionConfig(config);
        }
        _setSwapRoute(config.swapFee);
        _vault().execution = config;
        emit ExecutionConfigSet(config);
    }

    function _setAutomationConfig(AutomationConfig memory config) internal {
        bool valid = config.criticalHealthFactor > WAD
            && config.criticalHealthFactor <= _vault().leverage.minHealthFactor && config.maxDexDeviationBps != 0
            && config.maxDexDeviationBps <= MAX_DEVIATION_BPS && config.maxEquityLossBps != 0
            && config.maxEquityLossBps <= MAX_DEVIATION_BPS && config.ripcordRewardBps <= MAX_RIPCORD_REWARD_BPS
            && config.maxTradeSize != 0 && config.cooldown <= MAX_COOLDOWN;
        if (!valid) revert KeeperInvalidAutomationConfig(config);
        _vault().automation = config;
        emit AutomationConfigSet(config);
    }

    function _setExitConfig(ExitConfig memory config) internal {
        bool valid = config.takeProfitLeverage >= WAD && config.takeProfitLeverage <= _vault().leverage.targetLeverage
            && (config.stopLossPrice == 0 || config.takeProfitPrice == 0 || config.stopLossPrice < config.takeProfitPrice)
            && config.trailBps < BPS / 2;
        if (!valid) revert KeeperInvalidExitConfig(config);
        _vault().exits = config;
        emit ExitConfigSet(config);
    }

    // ---------------------------------------------------------------- execution

    function _rebalance() internal returns (Action action) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        VaultLayout storage v = _vault();
        AutomationState memory state = v.state;
        _onInteraction(before.price);
        uint256 target;
        (action, target) = RiskPolicy.decide(
            before, v.leverage, v.exits, state.mode, Math.max(state.highWaterMark, before.price), liquidationThreshold
        );
        if (action == Action.None) {
            // Raising a stale high-water mark is the one action that trades nothing.
            if (!_pokeDue(before.price, state, v.exits.trailBps)) revert KeeperNothingToDo();
            emit ActionExecuted(Action.Poke, msg.sender, before.leverage, before.leverage, before.healthFactor, before.healthFactor);
            return Action.Poke;
        }
        if (RiskPolicy.isBandAction(action)) {
            uint256 readyAt = _cooldownEnd(state);
            if (block.timestamp < readyAt) revert KeeperCooldownActive(readyAt);
            v.state.lastRebalanceAt = uint40(block.timestamp);
        }
        _checkDexDeviation(before.price, v.automation.maxDexDeviationBps);
        uint256 maxTrade =
            _tradeCap(action != Action.ReleverBand, collateralPrice, debtPrice, v.automation.maxTradeSize);

        if (action == Action.ReleverBand) {
            uint256 targetDebtValue = LeverageMath.debtForLeverage(before.equityValue, target);
            uint256 borrowAmount = (targetDebtValue - before.debtValue).mulDiv(DEBT_UNIT, debtPrice);
            _lever(Math.min(borrowAmount, maxTrade), before.idleCollateral, collateralPrice, debtPrice);
        } else if (action == Action.StopLoss || action == Action.TrailingStop) {
            if (state.mode != Mode.StoppedOut) _setMode(Mode.StoppedOut);
            _unwindChunk(before, collateralPrice, debtPrice, maxTrade);
        } else {
            if (action == Action.TakeProfit && state.mode != Mode.ProfitTaken) _setMode(Mode.ProfitTaken);
            _deleverToward(target, before, collateralPrice, debtPrice, maxTrade);
        }
        ILeverageVault.PositionState memory afterAction = _position(collateralPrice, debtPrice, liquidationThreshold);
        _checkPostConditions(action, target, before, afterAction, debtPrice, 0);
    }

    /// @dev Debt units an action may trade: the configured max, and no more than what moves the pool's price by
    ///      1.5x the slippage left after the pool fee (the average fill then loses ~3/4 of the allowance). With no
    ///      allowance left over the fee, only the configured max applies and the min out decides.
    function _tradeCap(bool sellCollateral, uint256 collateralPrice, uint256 debtPrice, uint256 maxTradeSize)
        internal
        view
        returns (uint256)
    {
        uint256 slippageBps = _vault().execution.maxSlippageBps;
        uint256 feeBps = _swapRoute() / 100;
        if (slippageBps <= feeBps) return maxTradeSize;
        uint256 maxIn = _maxInputWithinMove(sellCollateral, (slippageBps - feeBps) * 3 / 2);
        return Math.min(maxTradeSize, sellCollateral ? _debtFor(maxIn, collateralPrice, debtPrice) : maxIn);
    }

    /// @dev True when the trailing stop is armed and the price is a tenth of the trail above the recorded mark.
    function _pokeDue(uint256 price, AutomationState memory state, uint256 trailBps) internal pure returns (bool) {
        return state.mode == Mode.Active && trailBps != 0
            && price * BPS > uint256(state.highWaterMark) * (BPS + trailBps / POKE_FRACTION);
    }

    /// @dev Repays debt toward `target` leverage, at most `maxTrade` debt units; the last chunk to 1x is exact.
    function _deleverToward(
        uint256 target,
        ILeverageVault.PositionState memory before,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 maxTrade
    ) internal {
        uint256 targetDebtValue = LeverageMath.debtForLeverage(before.equityValue, target);
        if (targetDebtValue >= before.debtValue) return;
        uint256 repay = (before.debtValue - targetDebtValue).mulDiv(DEBT_UNIT, debtPrice);
        if (targetDebtValue == 0 && before.debt <= maxTrade) return _unwindAll(before.debt, collateralPrice, debtPrice);
        _delever(_collateralFor(Math.min(repay, maxTrade), collateralPrice, debtPrice), collateralPrice, debtPrice);
    }

    /// @dev One step of the stop: repay debt in chunks, then (if configured) sell collateral into the debt asset.
    function _unwindChunk(ILeverageVault.PositionState memory before, uint256 collateralPrice, uint256 debtPrice, uint256 maxTrade)
        internal
    {
        if (before.debt != 0) return _deleverToward(WAD, before, collateralPrice, debtPrice, maxTrade);
        if (before.collateral != 0) _withdrawCollateral(type(uint256).max, address(this));
        uint256 held = IERC20(COLLATERAL_ASSET).balanceOf(address(this));
        uint256 amount = Math.min(held, _collateralFor(maxTrade, collateralPrice, debtPrice));
        _swapExactIn(COLLATERAL_ASSET, DEBT_ASSET, amount, _minusSlippage(_debtFor(amount, collateralPrice, debtPrice)));
    }

    /// @dev The loss budget is `maxEquityLossBps` of what the action traded: the debt it repaid or borrowed, or
    ///      the debt asset it bought once the debt is gone.
    function _checkPostConditions(
        Action action,
        uint256 target,
        ILeverageVault.PositionState memory before,
        ILeverageVault.PositionState memory afterAction,
        uint256 debtPrice,
        uint256 allowedExtraLoss
    ) internal {
        VaultLayout storage v = _vault();
        uint256 traded = Math.max(
            LeverageMath.distance(before.debtValue, afterAction.debtValue),
            LeverageMath.distance(before.idleDebtAsset, afterAction.idleDebtAsset).mulDiv(debtPrice, DEBT_UNIT)
        );
        uint256 maxLoss = traded.mulDiv(v.automation.maxEquityLossBps, BPS) + allowedExtraLoss;
        PostConditions.check(action, target, before, afterAction, v.leverage.minHealthFactor, maxLoss);
        emit ActionExecuted(
            action, msg.sender, before.leverage, afterAction.leverage, before.healthFactor, afterAction.healthFactor
        );
    }

    function _checkDexDeviation(uint256 oraclePrice, uint256 maxDeviationBps) internal view {
        uint256 spot = _spotPrice();
        if (LeverageMath.distance(spot, oraclePrice) * BPS > oraclePrice * maxDeviationBps) {
            revert KeeperDexDeviation(spot, oraclePrice);
        }
    }

    function _sendCollateral(address to, uint256 amount) internal {
        if (IERC20(COLLATERAL_ASSET).balanceOf(address(this)) >= amount) {
            IERC20(COLLATERAL_ASSET).safeTransfer(to, amount);
        } else {
            _withdrawCollateral(amount, to);
        }
    }

    function _setMode(Mode mode) internal {
        _vault().state.mode = mode;
        emit ModeChanged(mode, msg.sender);
    }

    function _cooldownEnd(AutomationState memory state) internal view returns (uint256) {
        return uint256(state.lastRebalanceAt) + _vault().automation.cooldown;
    }
}
