// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IAggregatorV3} from "./IAggregatorV3.sol";

/// @title IOracleModule
/// @notice Price source of a vault: Chainlink-style USD feeds for both assets.
interface IOracleModule {
    struct OracleConfig {
        IAggregatorV3 collateralFeed; // USD per collateral token, any decimals <= 18
        IAggregatorV3 debtFeed; // USD per debt token, any decimals <= 18
        IAggregatorV3 sequencerFeed; // L2 sequencer uptime feed, zero address on L1
        uint256 collateralHeartbeat; // s, max age of a collateral answer
        uint256 debtHeartbeat; // s, max age of a debt answer
        uint256 sequencerGracePeriod; // s after the sequencer comes back up during which prices are refused
        // Feed whose rounds measure the pair's volatility (volatility-aware leverage): the volatile leg's USD feed
        // (ETH/USD for an ETH long or short) or the pair's ratio feed (wstETH/ETH for a staked-ETH loop), any
        // decimals; zero address = the collateral feed.
        IAggregatorV3 varianceFeed;
    }

    /// @notice A price feed address is zero.
    error OracleFeedMissing();
    /// @notice `feed` answered zero or a negative number.
    error OracleInvalidAnswer(address feed, int256 answer);
    /// @notice `feed`'s last update at `updatedAt` (s) is older than `heartbeat` (s) or in the future.
    error OracleStale(address feed, uint256 updatedAt, uint256 heartbeat);
    /// @notice The L2 sequencer reports down, or its feed has no valid round (`startedAt == 0`).
    error OracleSequencerDown();
    /// @notice The sequencer came back up at `upSince` (s), less than `gracePeriod` (s) ago.
    error OracleSequencerGracePeriod(uint256 upSince, uint256 gracePeriod);
}

/// @title IOraclePrices
/// @notice The vault's checked oracle read (served by the vault itself, never by its modules).
interface IOraclePrices is IOracleModule {
    /// @notice Current checked prices.
    /// @return collateralPrice wad USD (1e18 = $1) per whole collateral token.
    /// @return debtPrice wad USD per whole debt token.
    function oraclePrices() external view returns (uint256 collateralPrice, uint256 debtPrice);
}
