// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Delegation
/// @notice How one module hands the selectors it does not serve on to the next, in the vault's context.
library Delegation {
    /// @dev Delegatecalls `target` with this call's calldata and ends the call with its return data (or its revert).
    function forward(address target) internal {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            let ok := delegatecall(gas(), target, ptr, calldatasize(), 0, 0)
            returndatacopy(ptr, 0, returndatasize())
            switch ok
            case 0 { revert(ptr, returndatasize()) }
            default { return(ptr, returndatasize()) }
        }
    }
}
