// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultKeeper} from "../interfaces/IVaultAutomation.sol";
import {IVaultEmergency} from "../interfaces/IVaultEmergency.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {AutomationModule, IMarketsBound} from "./AutomationModule.sol";
import {Delegation} from "../libraries/Delegation.sol";

/// @title KeeperModule
/// @notice The keeper entry points and views of the automation module (IVaultKeeper), run only through the vault's
///         delegatecall. Selectors it does not serve go on, still in the vault's context, to the emergency module
///         (ripcord, outage deleverage: IVaultEmergency) or to the management module (roles, parameters).
abstract contract KeeperModule is IVaultKeeper, AutomationModule {
    using Math for uint256;

    /// @notice Serves roles and parameters (IVaultManagement) in the vault's context.
    address public immutable MANAGEMENT_MODULE;
    /// @notice Serves the ripcord and the outage deleverage (IVaultEmergency) in the vault's context.
    address public immutable EMERGENCY_MODULE;

    /// @notice The management or the emergency module was built for other markets or feeds.
    error KeeperModuleMismatch();

    constructor(address managementModule, address emergencyModule) {
        if (
            IMarketsBound(managementModule).MARKETS_HASH() != MARKETS_HASH
                || IMarketsBound(emergencyModule).MARKETS_HASH() != MARKETS_HASH
        ) revert KeeperModuleMismatch();
        MANAGEMENT_MODULE = managementModule;
        EMERGENCY_MODULE = emergencyModule;
    }

    /// @dev The emergency selectors (the ripcord, the outage deleverage and its configuration, and accepting a pending
    ///      `ChangeKind.Outage`) go to the emergency module, every other one to the management module, with the same
    ///      calldata. Not payable: nothing here takes ETH.
    fallback() external onlyDelegated {
        Delegation.forward(_emergencySelector() ? EMERGENCY_MODULE : MANAGEMENT_MODULE);
    }

    function _emergencySelector() private pure returns (bool) {
        bytes4 selector = msg.sig;
        if (selector == IVaultManagement.acceptChange.selector) {
            return msg.data.length >= 36 && uint256(bytes32(msg.data[4:36])) == uint256(IVaultManagement.ChangeKind.Outage);
        }
        return selector == IVaultEmergency.ripcord.selector || selector == IVaultEmergency.outageDelever.selector
            || selector == IVaultEmergency.setOutageConfig.selector || selector == IVaultEmergency.outageConfig.selector
            || selector == IVaultEmergency.outageState.selector;
    }

    // ---------------------------------------------------------------- keeper entry points

    /// @inheritdoc IVaultKeeper
    function rebalance() external onlyDelegated nonReentrant onlyKeeper returns (Action) {
        return _rebalance(gasleft());
    }

    /// @inheritdoc IVaultKeeper
    function performUpkeep(bytes calldata) external onlyDelegated nonReentrant onlyKeeper {
        _rebalance(gasleft());
    }

    /// @inheritdoc IVaultKeeper
    function poke() external onlyDelegated nonReentrant {
        _accrueFee();
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        // A view of the position (its price is collateralPrice / debtPrice): the mark is raised before the sweep.
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, 0);
        _onInteraction(s.price);
        _sweepIdle(s);
    }

    // ---------------------------------------------------------------- keeper views

    /// @inheritdoc IVaultKeeper
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

    /// @inheritdoc IVaultKeeper
    function checkUpkeep(bytes calldata) external view returns (bool upkeepNeeded, bytes memory performData) {
        Action action;
        (upkeepNeeded, action,) = trigger();
        performData = abi.encode(action);
    }

    /// @inheritdoc IVaultKeeper
    function checker() external view returns (bool canExec, bytes memory execPayload) {
        (canExec,, execPayload) = trigger();
    }

    /// @inheritdoc IVaultKeeper
    function effectiveTargetLeverage() external view returns (uint256 target, uint256 sigmaPerSqrtSecond) {
        return _volatilityAdjustedTarget();
    }

    /// @inheritdoc IVaultKeeper
    function healthActionBounds() external view returns (uint256 slippageBps, uint256 maxDexDeviationBps) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, _liquidationThresholdBps());
        return _bounds(Action.DeleverHealth, s.healthFactor);
    }
}
