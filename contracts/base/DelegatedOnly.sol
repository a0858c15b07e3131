// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";

/// @title DelegatedOnly
/// @notice For the modules a vault delegatecalls: what they write is the vault's storage only when run by its
///         delegatecall, so a direct call to the module itself is refused.
abstract contract DelegatedOnly {
    address private immutable SELF = address(this);

    modifier onlyDelegated() {
        if (address(this) == SELF) revert IVaultAutomation.KeeperNotDelegated();
        _;
    }
}
