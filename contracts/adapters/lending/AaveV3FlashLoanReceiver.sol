// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {AaveV3LendingAdapter} from "./AaveV3LendingAdapter.sol";

/// @title AaveV3FlashLoanReceiver
/// @notice The Aave V3 flash-loan callbacks, accepted only for a loan this vault started. Inherited by the vault
///         alone: the pool calls the vault's own code, so the modules it delegates to never need them.
abstract contract AaveV3FlashLoanReceiver is AaveV3LendingAdapter {
    using TransientSlot for *;

    /// @notice Aave `flashLoan` callback (debt-opening loans).
    function executeOperation(
        address[] calldata assets,
        uint256[] calldata amounts,
        uint256[] calldata premiums,
        address initiator,
        bytes calldata params
    ) external returns (bool) {
        _acceptFlashLoan(initiator);
        _onFlashLoan(assets[0], amounts[0], premiums[0], params);
        return true;
    }

    /// @notice Aave `flashLoanSimple` callback.
    function executeOperation(address asset, uint256 amount, uint256 premium, address initiator, bytes calldata params)
        external
        returns (bool)
    {
        _acceptFlashLoan(initiator);
        _onFlashLoan(asset, amount, premium, params);
        return true;
    }

    function _acceptFlashLoan(address initiator) private {
        if (
            msg.sender != address(AAVE_POOL) || initiator != address(this)
                || !FLASH_LOAN_PENDING_SLOT.asBoolean().tload()
        ) {
            revert LendingUnexpectedFlashLoan(msg.sender, initiator);
        }
        FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(false);
    }
}
