// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title ISwapAdapterErrors
/// @notice Errors of a vault's swap adapter. Bounds come from the oracle and the max slippage.
interface ISwapAdapterErrors {
    /// @notice The swap returned `amountOut`, below the oracle-derived `minOut`.
    error SwapSlippageExceeded(uint256 amountOut, uint256 minOut);
    /// @notice The swap needed `amountIn`, above the oracle-derived `maxIn`.
    error SwapInputExceeded(uint256 amountIn, uint256 maxIn);
    /// @notice No pool for the pair at `fee`.
    error SwapRouteMissing(uint24 fee);
}

/// @title ILendingAdapterErrors
/// @notice Errors of a vault's lending adapter.
interface ILendingAdapterErrors {
    /// @notice A flash-loan callback that this vault did not start (wrong caller, initiator or no loan pending).
    error LendingUnexpectedFlashLoan(address caller, address initiator);
    /// @notice The market's efficiency-mode `category` does not hold both the collateral and the debt asset.
    error LendingEModeMismatch(uint8 category);
}
