// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IAggregatorV3
/// @notice The Chainlink AggregatorV3Interface, declared here because `@chainlink/contracts` does not install offline.
interface IAggregatorV3 {
    /// @notice Number of decimals of `answer` (8 for USD feeds).
    function decimals() external view returns (uint8);

    function description() external view returns (string memory);

    function version() external view returns (uint256);

    /// @notice The newest round.
    /// @return roundId Id of the round.
    /// @return answer Price scaled by `decimals()`; for the sequencer-uptime feed 0 = up, 1 = down.
    /// @return startedAt Timestamp (s) the round started; for the sequencer feed, when its status last changed.
    /// @return updatedAt Timestamp (s) of the answer.
    /// @return answeredInRound Deprecated; equals roundId.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Legacy AggregatorInterface read used by AaveOracle.
    function latestAnswer() external view returns (int256);
}
