// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {MorphoBlueLendingAdapter} from "./MorphoBlueLendingAdapter.sol";

/// @title MorphoBlueFlashLoanReceiver
/// @notice Morpho Blue's flash-loan callback, normalised to `_onFlashLoan` (premium 0). Only the vault inherits it:
///         Morpho calls back whoever asked for the loan, the vault itself, never a delegatecalled module.
abstract contract MorphoBlueFlashLoanReceiver is MorphoBlueLendingAdapter {
    using TransientSlot for *;

    /// @notice Morpho `flashLoan` callback: runs the vault's move; for a debt-opening loan, borrows the same amount
    ///         so that Morpho's pull after this call returns the loan.
    function onMorphoFlashLoan(uint256 assets, bytes calldata data) external {
        if (msg.sender != address(MORPHO) || !MORPHO_FLASH_LOAN_PENDING_SLOT.asBoolean().tload()) {
            revert LendingUnexpectedFlashLoan(msg.sender, address(this));
        }
        MORPHO_FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(false);
        (bool openDebt, address asset, bytes memory inner) = abi.decode(data, (bool, address, bytes));
        _onFlashLoan(asset, assets, 0, inner);
        if (openDebt) MORPHO.borrow(_marketParams(), assets, 0, address(this), address(this));
    }
}
