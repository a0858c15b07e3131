// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IVaultManagement} from "./IVaultManagement.sol";

/// @title IVenueMover
/// @notice One lending venue's side of a refinance, run only in a vault's context (delegatecall), reached through the
///         settings module: entering the venue (approvals, e-mode), taking a position over and handing it on.
interface IVenueMover {
    /// @return The venue's id, as its vault deployer names it ("aave-v3", "morpho-blue").
    function VENUE() external view returns (bytes32);

    /// @return The venue's borrow rate on the vault's debt asset now, wad per year (0.05e18 = 5 %/yr); a direct call.
    function borrowRatePerYear() external view returns (uint256);

    /// @notice Initialises a proxied vault (the proxy's constructor call): name and symbol, the management module's
    ///         `initialize(params)`, then the venue's and the route's approvals (and e-mode) in the proxy's name.
    function initializeProxy(string calldata name, string calldata symbol, IVaultManagement.InitParams calldata params)
        external;

    /// @notice During a move only: takes over `collateral` and `debt` (token units) from the venue of
    ///         `sourceMover`, with this venue's debt-opening flash loan. Reverts `VaultRefinanceDestinationShort`.
    function moveIn(address sourceMover, uint256 collateral, uint256 debt) external;

    /// @notice During a move only: repays all the debt on this venue (with the debt asset the vault holds) and
    ///         withdraws all the collateral into the vault.
    /// @return collateral Collateral withdrawn, token units.
    function moveOut() external returns (uint256 collateral);
}
