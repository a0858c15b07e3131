// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultKeeper, IVaultKeeperViews} from "../interfaces/IVaultAutomation.sol";
import {IVaultEmergency} from "../interfaces/IVaultEmergency.sol";
import {AutomationModule} from "./AutomationModule.sol";
import {IMarketsBound} from "../interfaces/IMarketsBound.sol";
import {Delegation} from "../libraries/Delegation.sol";

/// @title KeeperModule
/// @notice The keeper entry points of the automation module (IVaultKeeper), run only through the vault's
///         delegatecall. Selectors it does not serve go on, still in the vault's context, to the emergency module
///         (the keepers' views: IVaultKeeperViews; ripcord, outage deleverage: IVaultEmergency) or to the management
///         module (roles, parameters, settings).
abstract contract KeeperModule is IVaultKeeper, AutomationModule {
    /// @notice Serves roles and parameters (IVaultManagement) in the vault's context.
    address public immutable MANAGEMENT_MODULE;
    /// @notice Serves the keepers' views, the ripcord and the outage deleverage in the vault's context.
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

    /// @dev The emergency module's selectors (the ripcord, the outage deleverage and the keepers' views) go there,
    ///      every other one to the management module (whose fallback serves the settings, the outage path's
    ///      included), with the same calldata. Not payable: nothing here takes ETH.
    fallback() external onlyDelegated {
        Delegation.forward(_emergencySelector() ? EMERGENCY_MODULE : MANAGEMENT_MODULE);
    }

    function _emergencySelector() private pure returns (bool) {
        bytes4 selector = msg.sig;
        return selector == IVaultKeeperViews.trigger.selector || selector == IVaultKeeperViews.checkUpkeep.selector
            || selector == IVaultKeeperViews.checker.selector || selector == IVaultEmergency.ripcord.selector
            || selector == IVaultEmergency.outageDelever.selector
            || selector == IVaultKeeperViews.healthActionBounds.selector
            || selector == IVaultKeeperViews.effectiveTargetLeverage.selector;
    }

    // ---------------------------------------------------------------- keeper entry points

    /// @inheritdoc IVaultKeeper
    function rebalance() external onlyDelegated nonReentrant returns (Action) {
        return _rebalance(gasleft());
    }

    /// @inheritdoc IVaultKeeper
    function performUpkeep(bytes calldata) external onlyDelegated nonReentrant {
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
}
