// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IKeeperLens} from "../interfaces/IKeeperLens.sol";
import {IVaultAutomation, IVaultKeeperViews} from "../interfaces/IVaultAutomation.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";

/// @title KeeperLens
/// @notice Batch evaluation of vault triggers for off-chain keepers (see IKeeperLens). Stateless and view-only.
/// @dev Each `trigger()` is a raw STATICCALL with a fixed gas allowance that copies at most two words of return
///      data: a vault cannot make the batch revert, run out of gas or make it pay for a huge return payload. Only
///      the `(needed, action)` head of the answer is read: the calldata follows from the action and the vault
///      re-validates every call, so it is not worth returning per vault (a keeper asks `trigger()` of the few
///      vaults that need action).
contract KeeperLens is IKeeperLens {
    /// @dev Gas (units) spent around one call besides the allowance: cold account access, memory, bookkeeping.
    uint256 internal constant _CALL_OVERHEAD = 10_000;
    /// @dev Smallest valid ABI encoding of `(bool, uint8, bytes)` with empty bytes: three head words + length.
    uint256 internal constant _MIN_RETURN_SIZE = 128;

    /// @inheritdoc IKeeperLens
    uint256 public immutable TRIGGER_GAS_LIMIT;

    /// @param triggerGasLimit Gas (units) forwarded to each vault's `trigger()`.
    constructor(uint256 triggerGasLimit) {
        TRIGGER_GAS_LIMIT = triggerGasLimit;
    }

    /// @inheritdoc IKeeperLens
    function scan(IVaultRegistry registry, uint256 offset, uint256 limit)
        external
        view
        returns (uint256 blockNumber, uint256 total, Decision[] memory page)
    {
        blockNumber = block.number;
        total = registry.vaultCount();
        page = _scan(registry.vaults(offset, limit));
    }

    /// @inheritdoc IKeeperLens
    function scanVaults(address[] calldata vaults) external view returns (Decision[] memory page) {
        page = _scan(vaults);
    }

    function _scan(address[] memory vaults) internal view returns (Decision[] memory page) {
        page = new Decision[](vaults.length);
        // The callee gets at most 63/64 of what is left (EIP-150): require enough for the full allowance.
        uint256 minGas = TRIGGER_GAS_LIMIT + TRIGGER_GAS_LIMIT / 63 + _CALL_OVERHEAD;
        for (uint256 i; i < vaults.length; ++i) {
            uint256 gasLeft = gasleft();
            if (gasLeft < minGas) revert KeeperLensOutOfGas(i, gasLeft);
            page[i] = _decide(vaults[i]);
        }
    }

    /// @dev One vault's `trigger()`, never reverting.
    function _decide(address vault) internal view returns (Decision memory decision) {
        decision.vault = vault;
        bytes4 selector = IVaultKeeperViews.trigger.selector;
        uint256 gasLimit = TRIGGER_GAS_LIMIT;
        bool success;
        uint256 size;
        uint256 needed;
        uint256 action;
        bytes4 errorSelector;
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer; nothing is kept there.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            // Copies at most the two head words (needed, action), whatever the callee returns.
            success := staticcall(gasLimit, vault, ptr, 4, ptr, 0x40)
            size := returndatasize()
            switch success
            case 1 {
                needed := mload(ptr)
                action := mload(add(ptr, 0x20))
            }
            default {
                if gt(size, 3) {
                    returndatacopy(ptr, 0, 4)
                    errorSelector := shl(224, shr(224, mload(ptr)))
                }
            }
        }
        // No code at `vault` also "succeeds" with empty return data: treated as malformed.
        if (!success || size < _MIN_RETURN_SIZE || needed > 1 || action > uint256(type(IVaultAutomation.Action).max)) {
            decision.failed = true;
            decision.errorSelector = errorSelector;
            return decision;
        }
        decision.needed = needed == 1;
        decision.action = IVaultAutomation.Action(action);
    }
}
