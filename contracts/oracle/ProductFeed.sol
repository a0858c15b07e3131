// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";

/// @title ProductFeed
/// @notice A Chainlink-style feed whose answer is the product of a ratio feed and a USD feed, e.g.
///         wstETH/USD = (wstETH/ETH ratio, 1e18) * (ETH/USD, 1e8) / 1e18, in the USD feed's decimals.
///         As fresh as its staler input: `updatedAt` and `startedAt` are the older of the two feeds'.
///         Only the latest round exists: a past product is not the product of two independent histories.
contract ProductFeed is IAggregatorV3 {
    /// @notice An input feed answered zero or less (a product of it would be meaningless).
    error ProductFeedNonPositiveAnswer(address feed, int256 answer);
    /// @notice `getRoundData` is not supported: rounds of the two inputs do not pair up.
    error ProductFeedNoRoundHistory(uint80 roundId);

    /// @notice The ratio feed (e.g. wstETH/ETH), scaled by its own decimals.
    IAggregatorV3 public immutable RATIO_FEED;
    /// @notice The USD feed (e.g. ETH/USD); its decimals are this feed's decimals.
    IAggregatorV3 public immutable USD_FEED;
    /// @notice 10 ** RATIO_FEED.decimals(): divides the product back to the USD feed's scale.
    int256 public immutable RATIO_UNIT;
    // The getter must be `decimals()` (AggregatorV3Interface).
    // solhint-disable-next-line immutable-vars-naming
    uint8 public immutable override decimals;
    string public override description;

    constructor(IAggregatorV3 ratioFeed, IAggregatorV3 usdFeed, string memory description_) {
        RATIO_FEED = ratioFeed;
        USD_FEED = usdFeed;
        RATIO_UNIT = int256(10 ** uint256(ratioFeed.decimals()));
        decimals = usdFeed.decimals();
        description = description_;
    }

    function version() external pure override returns (uint256) {
        return 1;
    }

    /// @notice The product of the inputs' latest answers.
    /// @return roundId The USD feed's latest round id (also `answeredInRound`).
    /// @return answer ratio * usd / 10**ratioDecimals, in `decimals()` (USD, 1e8 for Chainlink USD feeds).
    /// @return startedAt The older of the two inputs' `startedAt` (s).
    /// @return updatedAt The older of the two inputs' `updatedAt` (s).
    function latestRoundData()
        public
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (, int256 ratio, uint256 ratioStarted, uint256 ratioUpdated,) = RATIO_FEED.latestRoundData();
        (uint80 usdRound, int256 usd, uint256 usdStarted, uint256 usdUpdated,) = USD_FEED.latestRoundData();
        if (ratio <= 0) revert ProductFeedNonPositiveAnswer(address(RATIO_FEED), ratio);
        if (usd <= 0) revert ProductFeedNonPositiveAnswer(address(USD_FEED), usd);
        answer = (ratio * usd) / RATIO_UNIT;
        startedAt = ratioStarted < usdStarted ? ratioStarted : usdStarted;
        updatedAt = ratioUpdated < usdUpdated ? ratioUpdated : usdUpdated;
        return (usdRound, answer, startedAt, updatedAt, usdRound);
    }

    /// @notice Always reverts with ProductFeedNoRoundHistory.
    function getRoundData(uint80 roundId) external pure override returns (uint80, int256, uint256, uint256, uint80) {
        revert ProductFeedNoRoundHistory(roundId);
    }

    /// @notice The same answer as `latestRoundData` (AaveOracle reads this).
    function latestAnswer() external view override returns (int256 answer) {
        (, answer,,,) = latestRoundData();
    }
}
