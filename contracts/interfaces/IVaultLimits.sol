// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IVaultLimits
/// @notice The ERC-4626 limits a vault answers (`maxDeposit`, `maxWithdraw`, `maxRedeem`), served in its context by
///         its venue's module (they read the venue, the pool and the oracle). Amounts in the vault's asset units,
///         shares in its share units; 0 when the action would be refused.
interface IVaultLimits {
    function depositLimit(address receiver) external view returns (uint256 assets);

    function withdrawLimit(address holder) external view returns (uint256 assets);

    function redeemLimit(address holder) external view returns (uint256 shares);
}
