// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {IUniswapV3PoolState} from "@uniswap/v3-core/contracts/interfaces/pool/IUniswapV3PoolState.sol";
import {StaticReads} from "../../libraries/StaticReads.sol";

/// @title UniswapV3Liquidity
/// @notice How much input a Uniswap V3 pool absorbs within a price move. `maxInputAcrossRanges` is external: the
///         automation module links it (one deployment per network) to keep the tick-bitmap scan out of its code.
library UniswapV3Liquidity {
    uint256 private constant Q96 = 2 ** 96;
    uint256 private constant BPS = 10_000;
    /// @dev Initialized ticks or bitmap words `_liquidityOverMove` reads at most.
    uint256 private constant MAX_CROSSINGS = 3;

    /// @notice Input (raw token units) that moves `pool`'s price by `moveBps` at the smallest liquidity the move
    ///         crosses (range edges inside it): a liquidity cliff shrinks the estimate instead of letting a fill
    ///         sized on the active range fall off it.
    /// @param pool A Uniswap V3 pool (an address in the signature: a linked library's ABI would name the type).
    /// @param fee The pool's fee tier (hundredths of a bip), for its tick spacing.
    /// @param token0In True when token0 is sold (the price, token1 per token0, falls).
    /// @param slot0 The pool's slot0 as the caller read it in this call (nothing traded since): sqrtPriceX96 in the
    ///        low 160 bits, the tick (24 bits, two's complement) above them.
    function maxInputAcrossRanges(address pool, uint24 fee, bool token0In, uint256 moveBps, uint256 slot0)
        external
        view
        returns (uint256)
    {
        uint160 sqrtPriceX96 = uint160(slot0);
        int24 tick = int24(uint24(slot0 >> 160));
        uint256 liquidity = _liquidityOverMove(IUniswapV3Pool(pool), _tickSpacing(pool, fee), tick, moveBps, token0In);
        return inputForMove(sqrtPriceX96, token0In, moveBps, liquidity);
    }

    /// @notice Input (raw units) that moves the price by `moveBps` at constant `liquidity`: token0 in,
    ///         dx = L (1/s' - 1/s) Q96 with s' = s sqrt(1 - m); token1 in, dy = L (s' - s) / Q96 with s' = s sqrt(1 + m).
    function inputForMove(uint160 sqrtPriceX96, bool token0In, uint256 moveBps, uint256 liquidity)
        internal
        pure
        returns (uint256)
    {
        // sqrt(BPS * 1e32) = 1e18 exactly.
        uint256 factor = Math.sqrt((token0In ? BPS - moveBps : BPS + moveBps) * 1e32);
        uint256 target = Math.mulDiv(sqrtPriceX96, factor, 1e18);
        if (token0In) return Math.mulDiv(Math.mulDiv(liquidity, Q96, target), sqrtPriceX96 - target, sqrtPriceX96);
        return Math.mulDiv(liquidity, target - sqrtPriceX96, Q96);
    }

    /// @dev The smallest liquidity of the ranges a move of `moveBps` from `tick` crosses (down when `down`, as token0
    ///      in moves it), from the pool's tick bitmap: at most MAX_CROSSINGS initialized ticks or bitmap words are
    ///      read, over the ticks the move spans (1 tick ~ 1 bp, rounded out by an eighth).
    function _liquidityOverMove(IUniswapV3Pool pool, int24 spacing, int24 tick, uint256 moveBps, bool down)
        private
        view
        returns (uint256 liquidity)
    {
        liquidity = _liquidity(pool);
        int256 current = int256(liquidity);
        int24 span = int24(int256(moveBps + moveBps / 8 + 1));
        int24 limit = down ? tick - span : tick + span;
        int24 from = tick;
        for (uint256 i; i < MAX_CROSSINGS; ++i) {
            (int24 next, bool initialized) = _nextTick(pool, from, spacing, down);
            if (down ? next < limit : next > limit) break;
            if (initialized) {
                int128 net = _liquidityNet(pool, next);
                current = down ? current - net : current + net;
                if (current < int256(liquidity)) liquidity = current > 0 ? uint256(current) : 0;
            }
            from = down ? next - 1 : next;
        }
    }

    /// @dev The Uniswap V3 factory's tick spacing of each fee tier it enables (immutable there): saves a call per
    ///      keeper action. Another tier falls back to asking the pool.
    function _tickSpacing(address pool, uint24 fee) private view returns (int24) {
        if (fee == 500) return 10;
        if (fee == 3000) return 60;
        if (fee == 10_000) return 200;
        if (fee == 100) return 1;
        return IUniswapV3Pool(pool).tickSpacing();
    }

    /// @dev Uniswap's TickBitmap.nextInitializedTickWithinOneWord, read from the pool: the next initialized tick at or
    ///      below `tick` (`down`) or above it, or the word's last tick when none is initialized within the word.
    function _nextTick(IUniswapV3Pool pool, int24 tick, int24 spacing, bool down)
        private
        view
        returns (int24 next, bool initialized)
    {
        int24 compressed = tick / spacing;
        if (tick < 0 && tick % spacing != 0) compressed--;
        if (!down) compressed++;
        uint8 bitPos = uint8(uint24(compressed % 256));
        uint256 word = _tickBitmap(pool, int16(compressed >> 8));
        // Bits at or below bitPos (down), at or above it (up).
        uint256 masked = down ? word & ((1 << bitPos) - 1 + (1 << bitPos)) : word & ~((1 << bitPos) - 1);
        initialized = masked != 0;
        if (down) {
            next = (compressed - int24(uint24(initialized ? bitPos - Math.log2(masked) : bitPos))) * spacing;
        } else {
            uint256 lowest = initialized ? Math.log2(masked & (~masked + 1)) : type(uint8).max;
            next = (compressed + int24(uint24(lowest - bitPos))) * spacing;
        }
    }

    // The pool reads below behave as the high-level calls they replace (a revert bubbled with its data; the ABI
    // decoder's length and range checks on every returned field, failing without data) in fewer instructions.

    /// @dev `pool.liquidity()` (a uint128).
    function _liquidity(IUniswapV3Pool pool) private view returns (uint256 liquidity) {
        assembly ("memory-safe") {
            mstore(0x00, shl(224, 0x1a686502))
            if iszero(staticcall(gas(), pool, 0x00, 0x04, 0x00, 0x20)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            liquidity := mload(0x00)
            if or(lt(returndatasize(), 0x20), shr(128, liquidity)) { revert(0, 0) }
        }
    }

    /// @dev `pool.tickBitmap(wordPosition)`.
    function _tickBitmap(IUniswapV3Pool pool, int16 wordPosition) private view returns (uint256) {
        return StaticReads.wordOf(address(pool), uint32(IUniswapV3PoolState.tickBitmap.selector), uint256(int256(wordPosition)));
    }

    /// @dev `pool.ticks(tick)`'s liquidityNet.
    function _liquidityNet(IUniswapV3Pool pool, int24 tick) private view returns (int128 net) {
        assembly ("memory-safe") {
            // Above the free memory pointer, not allocated: used only until this block ends.
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0xf30dba93))
            mstore(add(ptr, 0x04), signextend(2, tick))
            if iszero(staticcall(gas(), pool, ptr, 0x24, ptr, 0x100)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            net := mload(add(ptr, 0x20))
            let tickCumulative := mload(add(ptr, 0x80))
            // uint128, int128, uint256 x2, int56, uint160, uint32, bool.
            if or(
                or(lt(returndatasize(), 0x100), shr(128, mload(ptr))),
                or(
                    or(iszero(eq(signextend(15, net), net)), iszero(eq(signextend(6, tickCumulative), tickCumulative))),
                    or(or(shr(160, mload(add(ptr, 0xa0))), shr(32, mload(add(ptr, 0xc0)))), gt(mload(add(ptr, 0xe0)), 1))
                )
            ) { revert(0, 0) }
        }
    }
}
