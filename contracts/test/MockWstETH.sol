// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MockWstETH
/// @notice Test double of Lido's wstETH: a mintable 18-decimal ERC20 whose stETH-per-token rate tests control.
///         Anyone may mint and set the rate. Never shipped.
contract MockWstETH is ERC20 {
    /// @notice stETH (≈ ETH) per 1 wstETH, 1e18 scale (e.g. 1.15e18).
    uint256 public stEthPerToken;

    event StEthPerTokenSet(uint256 stEthPerToken);

    constructor(uint256 initialStEthPerToken) ERC20("Wrapped liquid staked Ether 2.0", "wstETH") {
        stEthPerToken = initialStEthPerToken;
    }

    /// @notice Mints `amount` (1e18) to `to`; no backing, test use only.
    function mint(address to, uint256 amount) external returns (bool) {
        _mint(to, amount);
        return true;
    }

    /// @notice Sets the rate (stETH per wstETH, 1e18 scale), as the test-bed's setWstethRatio does.
    function setStEthPerToken(uint256 newStEthPerToken) external {
        stEthPerToken = newStEthPerToken;
        emit StEthPerTokenSet(newStEthPerToken);
    }

    /// @notice stETH (1e18) for `wstEthAmount` (1e18) at the current rate, rounded down.
    function getStETHByWstETH(uint256 wstEthAmount) external view returns (uint256) {
        return (wstEthAmount * stEthPerToken) / 1e18;
    }
}
