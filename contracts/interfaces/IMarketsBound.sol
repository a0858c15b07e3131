// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IMarketsBound
/// @notice A vault piece built for one set of markets and feeds: the vault, the factory and the automation module
///         check that every module they are given was built for the same ones.
interface IMarketsBound {
    /// @notice keccak256 of the markets and oracle configuration the contract was built with.
    function MARKETS_HASH() external view returns (bytes32);
}
