// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {FlashLoanSimpleReceiverBase} from "@aave/core-v3/contracts/flashloan/base/FlashLoanSimpleReceiverBase.sol";
import {IPoolAddressesProvider} from "@aave/core-v3/contracts/interfaces/IPoolAddressesProvider.sol";
import {IERC20} from "@aave/core-v3/contracts/dependencies/openzeppelin/contracts/IERC20.sol";

/// @title FlashLoanProbe
/// @notice Test double: takes an Aave V3 simple flash loan, records what the pool handed over and repays
///         amount + premium from its own balance (tests pre-fund the premium). Never shipped.
contract FlashLoanProbe is FlashLoanSimpleReceiverBase {
    error ProbeCallerNotPool(address caller);

    address public lastAsset;
    uint256 public lastAmount;
    uint256 public lastPremium;
    address public lastInitiator;
    /// @notice Balance of the borrowed asset seen inside the callback (proves the funds arrived).
    uint256 public balanceDuringLoan;

    constructor(IPoolAddressesProvider provider) FlashLoanSimpleReceiverBase(provider) {}

    /// @notice Borrows `amount` of `asset` for one transaction.
    function run(address asset, uint256 amount) external {
        POOL.flashLoanSimple(address(this), asset, amount, "", 0);
    }

    /// @notice Pool callback: records the loan and approves the repayment.
    function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes calldata)
        external
        override
        returns (bool)
    {
        if (msg.sender != address(POOL)) revert ProbeCallerNotPool(msg.sender);
        lastAsset = asset;
        lastAmount = amount;
        lastPremium = premium;
        lastInitiator = initiator;
        balanceDuringLoan = IERC20(asset).balanceOf(address(this));
        // The pool pulls amount + premium with transferFrom after this returns.
        IERC20(asset).approve(address(POOL), amount + premium);
        return true;
    }
}
