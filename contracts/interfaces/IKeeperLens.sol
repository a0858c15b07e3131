// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IVaultAutomation} from "./IVaultAutomation.sol";
import {IVaultRegistry} from "./IVaultRegistry.sol";

/// @title IKeeperLens
/// @notice Read-only batch view for keepers: evaluates `IVaultKeeperViews.trigger()` of many vaults in one
///         `eth_call`, so that a keeper scans a whole registry in a handful of requests. Every vault is called
///         with a bounded amount of gas and its failure is recorded, never propagated: one broken vault (stale
///         oracle, not a vault at all, out of gas, malformed return data) does not hide the decisions of the others.
///         Not meant to be called in a transaction: the gas of a full page is only paid off-chain.
///         Units: gas in gas units, indices are positions in the registry (0-based), block numbers in blocks.
interface IKeeperLens {
    /// @notice One vault's decision, as its `trigger()` returned it.
    struct Decision {
        address vault;
        bool needed; // the vault's `trigger()` reported an action to run (its `callData` is due)
        IVaultAutomation.Action action; // None when not needed or when `failed`
        bool failed; // `trigger()` reverted, ran out of its gas allowance or returned malformed data
        bytes4 errorSelector; // first 4 bytes of the revert data when `failed` (0 when there were none)
    }

    /// @notice The lens would give a vault less than `TRIGGER_GAS_LIMIT` (gas): the call had too little gas for
    ///         the page, at vault index `index` of the page. Retry with a smaller page or more gas; decisions are
    ///         not reported as failed just because the caller's gas ran short.
    error KeeperLensOutOfGas(uint256 index, uint256 gasLeft);

    /// @notice Gas (units) forwarded to each vault's `trigger()`; a vault that needs more is reported as failed.
    function TRIGGER_GAS_LIMIT() external view returns (uint256);

    /// @notice Decisions of the registry's vaults `offset` .. `offset + limit - 1` (fewer at the end of the list).
    /// @return blockNumber The block the decisions were read on (blocks): pin further pages to it for one snapshot.
    /// @return total The registry's vault count (vaults), so the first page tells how many pages follow.
    /// @return page One decision per vault, in registry order.
    function scan(IVaultRegistry registry, uint256 offset, uint256 limit)
        external
        view
        returns (uint256 blockNumber, uint256 total, Decision[] memory page);

    /// @notice Decisions of the given vaults, in the order given.
    function scanVaults(address[] calldata vaults) external view returns (Decision[] memory page);
}
