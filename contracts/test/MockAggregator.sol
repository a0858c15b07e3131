// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";

/// @title MockAggregator
/// @notice Test double of a Chainlink feed whose answer and timestamp tests control. Never shipped.
contract MockAggregator is IAggregatorV3 {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    // The getter must be `decimals()` (AggregatorV3Interface).
    // solhint-disable-next-line immutable-vars-naming
    uint8 public immutable override decimals;
    string public override description;
    uint80 public latestRound;
    mapping(uint80 roundId => Round) internal _rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        _push(initialAnswer, block.timestamp);
    }

    function version() external pure override returns (uint256) {
        return 4;
    }

    /// @notice Publishes a new round at the current block time.
    function setAnswer(int256 answer) external {
        _push(answer, block.timestamp);
    }

    /// @notice Publishes a new round with an explicit timestamp (to simulate stale feeds).
    function setAnswerAt(int256 answer, uint256 updatedAt) external {
        _push(answer, updatedAt);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }

    function getRoundData(uint80 roundId) public view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[roundId];
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function latestAnswer() external view override returns (int256) {
        return _rounds[latestRound].answer;
    }

    function _push(int256 answer, uint256 updatedAt) internal {
        uint80 roundId = ++latestRound;
        _rounds[roundId] = Round(answer, updatedAt, updatedAt);
        emit AnswerUpdated(answer, roundId, updatedAt);
    }
}
