// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

/// @title VaultProxy
/// @notice A refinanceable vault's address: an ERC-1967 proxy in front of the vault's code for its current venue.
///         Nothing but a move (IVaultRefinance, timelocked) changes the implementation; `data` is the initialisation
///         (IVenueMover.initializeProxy), run in the same transaction so that no one else can initialise it.
contract VaultProxy is ERC1967Proxy {
    constructor(address implementation, bytes memory data) ERC1967Proxy(implementation, data) {}
}
