// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title StaticReads
/// @notice The view calls every vault operation makes several times (balances, a reserve's configuration, a feed's
///         latest round), in scratch memory instead of the compiler's allocated call frames: fewer instructions per
///         call and less code. Each behaves as the high-level call it replaces: a revert is bubbled with its data,
///         return data too short for the declared return values, or an out-of-range uint80, reverts without data
///         (as the ABI decoder does), and a target without code returns no data and so reverts the same way.
library StaticReads {
    /// @dev `IERC20(token).balanceOf(account)`.
    function balanceOf(address token, address account) internal view returns (uint256 amount) {
        return wordOf(token, 0x70a08231, uint160(account));
    }

    /// @dev A view `selector(arg)` of `target` with one static argument, given as its ABI word (an address, an int16
    ///      sign-extended), returning one word (a uint256 or a one-word struct).
    function wordOf(address target, uint32 selector, uint256 arg) internal view returns (uint256 word) {
        assembly ("memory-safe") {
            mstore(0x00, shl(224, selector))
            mstore(0x04, arg)
            if iszero(staticcall(gas(), target, 0x00, 0x24, 0x00, 0x20)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0, 0) }
            word := mload(0x00)
        }
    }

    /// @dev `IAggregatorV3(feed).latestRoundData()` but its answeredInRound.
    function latestRound(address feed)
        internal
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt)
    {
        assembly ("memory-safe") {
            // Above the free memory pointer, not allocated: used only until this block ends.
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0xfeaf968c))
            if iszero(staticcall(gas(), feed, ptr, 0x04, ptr, 0xa0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            // The ABI decoder's checks: five words, roundId and answeredInRound within uint80.
            if or(lt(returndatasize(), 0xa0), or(shr(80, mload(ptr)), shr(80, mload(add(ptr, 0x80))))) { revert(0, 0) }
            roundId := mload(ptr)
            answer := mload(add(ptr, 0x20))
            startedAt := mload(add(ptr, 0x40))
            updatedAt := mload(add(ptr, 0x60))
        }
    }

    /// @dev `try IAggregatorV3(feed).getRoundData(roundId)`: `ok` false when the call reverts (the `catch`); return
    ///      data the decoder refuses reverts, as it does after a `try` call that succeeded.
    function tryRound(address feed, uint80 roundId) internal view returns (bool ok, int256 answer, uint256 updatedAt) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x9a6fc8f5))
            mstore(add(ptr, 0x04), roundId)
            ok := staticcall(gas(), feed, ptr, 0x24, ptr, 0xa0)
            if ok {
                if or(lt(returndatasize(), 0xa0), or(shr(80, mload(ptr)), shr(80, mload(add(ptr, 0x80))))) {
                    revert(0, 0)
                }
                answer := mload(add(ptr, 0x20))
                updatedAt := mload(add(ptr, 0x60))
            }
        }
    }
}
