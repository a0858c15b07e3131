// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISwapAdapterErrors} from "../../interfaces/IAdapterErrors.sol";
import {VaultAssets} from "../../base/VaultAssets.sol";

/// @title SwapAdapter
/// @notice What the vault core needs from a DEX. Bounds (`minOut`, `maxIn`) come from the vault's oracle; the
///         module enforces them after the trade with custom errors.
abstract contract SwapAdapter is ISwapAdapterErrors, VaultAssets {
    /// @dev The DEX's approvals, in the constructor and in a proxy's context when it is initialised.
    function _enterRoute() internal virtual;

    function _swapExactIn(address tokenIn, address tokenOut, uint256 amountIn, uint256 minOut)
        internal
        virtual
        returns (uint256 amountOut);

    function _swapExactOut(address tokenIn, address tokenOut, uint256 amountOut, uint256 maxIn)
        internal
        virtual
        returns (uint256 amountIn);

    /// @return amountIn Input (token units) that moves the DEX price by at most `moveBps` in the active liquidity;
    ///         selling collateral when `sellCollateral`, else selling the debt asset.
    function _maxInputWithinMove(bool sellCollateral, uint256 moveBps) internal view virtual returns (uint256 amountIn);

    /// @return amountIn The same at the smallest liquidity the move crosses (range edges inside the move): what a
    ///         keeper chunk is sized on, so that a liquidity cliff shrinks the chunk instead of failing its min out.
    /// @param dexState The DEX's state as `_guardReading` returned it in this call (nothing traded since).
    function _maxInputAcrossRanges(bool sellCollateral, uint256 moveBps, uint256 dexState)
        internal
        view
        virtual
        returns (uint256 amountIn);

    /// @return DEX spot price of one whole collateral token in whole debt tokens, wad.
    function _spotPrice() internal view virtual returns (uint256);

    /// @return The DEX's time-weighted average price over the last `window` seconds, of one whole collateral token in
    ///         whole debt tokens, wad; reverts `OutageTwapUnavailable` when the DEX cannot give it.
    function _twapPrice(uint32 window) internal view virtual returns (uint256);

    /// @dev What a keeper action's guards read from the DEX, in one read of its state.
    /// @return movedBps bps the DEX price moved earlier in this block (type(uint256).max when it cannot be told).
    /// @return spot `_spotPrice()`.
    /// @return dexState The DEX's state read, opaque, for `_maxInputAcrossRanges` in the same call.
    function _guardReading() internal view virtual returns (uint256 movedBps, uint256 spot, uint256 dexState);

    /// @dev Records where a keeper action left the DEX, so that the move `_guardReading` reads does not count it.
    function _noteKeeperTrade() internal virtual;

    /// @dev Reverts `SwapRouteMissing` when the route (fee tier) does not exist.
    function _checkSwapRoute(uint24 fee) internal view virtual;

    /// @dev Selects the route (fee tier); reverts `SwapRouteMissing` when it does not exist.
    function _setSwapRoute(uint24 fee) internal virtual;

    function _swapRoute() internal view virtual returns (uint24 fee);

    /// @return The route's own fee, bps rounded up (what a trade pays the DEX before any price move).
    function _swapFeeBps() internal view virtual returns (uint256);
}
