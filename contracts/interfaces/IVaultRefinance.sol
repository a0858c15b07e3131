// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice What a refinance emits and raises (the settings module and the venue movers share them).
interface IVaultRefinanceErrors {
    /// @notice The position moved from the implementation `from` to `to`: `collateral` and `debt` in token units.
    event VenueMoved(address indexed from, address indexed to, uint256 collateral, uint256 debt);

    /// @notice The vault is not behind a proxy: it cannot change venue (also: a settings module built without a mover).
    error VaultNotRefinanceable();
    /// @notice `implementation` is not this vault's code on another venue (same assets, a venue mover).
    error VaultInvalidVenue(address implementation);
    /// @notice The destination would hold the position at a health factor (wad) under the floor and worse than before
    ///         (checked after the move), or would not lend its debt at all (above its max LTV: checked before).
    error VaultRefinanceUnhealthy(uint256 healthFactor, uint256 floor);
    /// @notice After the move the destination reads less equity (wad USD) than before, beyond rounding.
    error VaultRefinanceLoss(uint256 equityBefore, uint256 equityAfter);
    /// @notice The destination cannot take the position: `needed` above `available` of its supply (cap) room for
    ///         the collateral or its borrow (cap or liquidity) room for the debt, in token units. Nothing moved.
    error VaultRefinanceDestinationShort(uint256 needed, uint256 available);
    /// @notice A venue mover's step was called outside a move.
    error VaultNotMoving();
}

/// @title IVaultRefinance
/// @notice Moving a vault's whole position from one lending venue to another (refinancing), served by the settings
///         module in the vault's storage. A refinanceable vault sits behind an ERC-1967 proxy whose implementation is
///         the vault's code for one venue; a move repays and withdraws everything on the current venue and supplies
///         and borrows the same amounts on the destination in one transaction (the destination's debt-opening flash
///         loan: no swap, no premium), then points the proxy at the destination's implementation. Post-conditions,
///         read through the destination's own code: the health factor is at or above the floor (or no worse than
///         before), the equity is the same but for a few raw units of rounding, and so is the leverage.
interface IVaultRefinance is IVaultRefinanceErrors {
    /// @notice Owner only. Submits the move to `implementation` as `ChangeKind.Venue`: it always waits out the
    ///         timelock (a new venue changes the holders' risk), the guardian, manager or owner may revoke it, and
    ///         `acceptChange(ChangeKind.Venue)` runs the move (anyone, during `PENDING_VALIDITY`; a keeper may).
    ///         Reverts `VaultNotRefinanceable` or `VaultInvalidVenue`.
    function proposeVenue(address implementation) external;

    /// @return The implementation the vault runs, i.e. its venue; 0 when the vault is not behind a proxy.
    function venueImplementation() external view returns (address);

    /// @return The venue mover of the vault's current venue.
    function venueMover() external view returns (address);
}
