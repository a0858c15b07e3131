// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IUniswapV3Factory} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Factory.sol";
import {IUniswapV3Pool} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Pool.sol";
import {SwapAdapter} from "./SwapAdapter.sol";
import {UniswapV3Liquidity} from "./UniswapV3Liquidity.sol";
import {IVaultEmergency} from "../../interfaces/IVaultEmergency.sol";

/// @title UniswapV3SwapAdapter
/// @notice Swaps through the Uniswap V3 SwapRouter on one (collateral, debt) pool chosen by fee tier.
abstract contract UniswapV3SwapAdapter is SwapAdapter {
    using SafeERC20 for IERC20;

    uint256 private constant Q96 = 2 ** 96;

    ISwapRouter internal immutable SWAP_ROUTER;
    IUniswapV3Factory internal immutable UNISWAP_FACTORY;
    bool private immutable COLLATERAL_IS_TOKEN0;
    /// @dev wad * collateral unit / debt unit: turns a raw-unit price into whole-token wad.
    uint256 private immutable PRICE_SCALE;

    /// @custom:storage-location erc7201:levered-vaults.storage.UniswapV3SwapModule
    struct Route {
        IUniswapV3Pool pool; // pool and fee share one slot: one SLOAD per swap
        uint24 fee;
        uint32 keeperTradeBlock; // block of the last keeper action's trade
        int24 tickAfterKeeperTrade; // the pool's tick right after it
    }

    // keccak256(abi.encode(uint256(keccak256("levered-vaults.storage.UniswapV3SwapModule")) - 1)) & ~0xff
    bytes32 private constant ROUTE_SLOT = 0xe15fd9b132546595a910674ce3e50c8fc748802b841a86e93b11d52681cb1d00;

    constructor(ISwapRouter router, IUniswapV3Factory factory) {
        SWAP_ROUTER = router;
        UNISWAP_FACTORY = factory;
        COLLATERAL_IS_TOKEN0 = COLLATERAL_ASSET < DEBT_ASSET;
        PRICE_SCALE = 1e18 * COLLATERAL_UNIT / DEBT_UNIT;
        _enterRoute();
    }

    function _enterRoute() internal override {
        IERC20(COLLATERAL_ASSET).forceApprove(address(SWAP_ROUTER), type(uint256).max);
        IERC20(DEBT_ASSET).forceApprove(address(SWAP_ROUTER), type(uint256).max);
    }

    function _setSwapRoute(uint24 fee) internal override {
        address pool = UNISWAP_FACTORY.getPool(COLLATERAL_ASSET, DEBT_ASSET, fee);
        if (pool == address(0)) revert SwapRouteMissing(fee);
        // Two observations are enough to read the start-of-block price (see `_poolMoveInBlockBps`).
        IUniswapV3Pool(pool).increaseObservationCardinalityNext(2);
        Route storage route = _route();
        route.pool = IUniswapV3Pool(pool);
        route.fee = fee;
    }

    function _checkSwapRoute(uint24 fee) internal view override {
        if (UNISWAP_FACTORY.getPool(COLLATERAL_ASSET, DEBT_ASSET, fee) == address(0)) revert SwapRouteMissing(fee);
    }

    function _swapRoute() internal view override returns (uint24) {
        return _route().fee;
    }

    /// @dev Uniswap fee tiers are in hundredths of a bip.
    function _swapFeeBps() internal view override returns (uint256) {
        return (uint256(_route().fee) + 99) / 100;
    }

    function _route() private pure returns (Route storage route) {
        assembly {
            route.slot := ROUTE_SLOT
        }
    }

    // The router's own bounds are left open (0 / max) so that the oracle bound is checked here with a custom
    // error carrying the values; the whole transaction reverts either way.
    function _swapExactIn(address tokenIn, address tokenOut, uint256 amountIn, uint256 minOut)
        internal
        override
        returns (uint256 amountOut)
    {
        amountOut = _callRouter(ISwapRouter.exactInputSingle.selector, tokenIn, tokenOut, amountIn, 0);
        if (amountOut < minOut) revert SwapSlippageExceeded(amountOut, minOut);
    }

    function _swapExactOut(address tokenIn, address tokenOut, uint256 amountOut, uint256 maxIn)
        internal
        override
        returns (uint256 amountIn)
    {
        amountIn = _callRouter(ISwapRouter.exactOutputSingle.selector, tokenIn, tokenOut, amountOut, type(uint256).max);
        if (amountIn > maxIn) revert SwapInputExceeded(amountIn, maxIn);
    }

    /// @dev `selector((tokenIn, tokenOut, fee, this, block.timestamp, amount, bound, 0))` on the router (exactInputSingle
    ///      or exactOutputSingle, whose parameter structs have the same eight static fields), as the high-level call
    ///      makes it in fewer instructions: a revert bubbled with its data, return data shorter than a word reverts
    ///      without data (the decoder's check).
    function _callRouter(bytes4 selector, address tokenIn, address tokenOut, uint256 amount, uint256 bound)
        private
        returns (uint256 result)
    {
        uint256 fee = _route().fee;
        address router = address(SWAP_ROUTER);
        assembly ("memory-safe") {
            // Above the free memory pointer, not allocated: used only until this block ends.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), tokenIn)
            mstore(add(ptr, 0x24), tokenOut)
            mstore(add(ptr, 0x44), fee)
            mstore(add(ptr, 0x64), address())
            mstore(add(ptr, 0x84), timestamp())
            mstore(add(ptr, 0xa4), amount)
            mstore(add(ptr, 0xc4), bound)
            mstore(add(ptr, 0xe4), 0)
            if iszero(call(gas(), router, 0, ptr, 0x104, 0x00, 0x20)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if lt(returndatasize(), 0x20) { revert(0, 0) }
            result := mload(0x00)
        }
    }

    /// @dev At constant liquidity L, price moves by the input as: token0 in, dx = L (1/s' - 1/s) Q96 with
    ///      s' = s sqrt(1 - m); token1 in, dy = L (s' - s) / Q96 with s' = s sqrt(1 + m). Here L is the active
    ///      range's: liquidity beyond it is ignored, so this is an estimate (the oracle-bounded min out still guards
    ///      the fill). `_maxInputAcrossRanges` takes the smallest liquidity over the move instead (a range edge
    ///      inside the move, a liquidity cliff, shrinks the estimate rather than letting the fill fall off it).
    function _maxInputWithinMove(bool sellCollateral, uint256 moveBps) internal view override returns (uint256) {
        IUniswapV3Pool pool = _route().pool;
        (uint160 sqrtPriceX96,,,) = _slot0(pool);
        return UniswapV3Liquidity.inputForMove(sqrtPriceX96, sellCollateral == COLLATERAL_IS_TOKEN0, moveBps, pool.liquidity());
    }

    /// @dev `dexState` is the pool's slot0 as `_guardReading` read it: sqrtPriceX96 in the low 160 bits, the tick above.
    function _maxInputAcrossRanges(bool sellCollateral, uint256 moveBps, uint256 dexState)
        internal
        view
        override
        returns (uint256)
    {
        Route storage route = _route();
        // A linked library (delegatecalled): the tick-bitmap scan is only the keeper's, kept out of the module's code.
        return UniswapV3Liquidity.maxInputAcrossRanges(
            address(route.pool), route.fee, sellCollateral == COLLATERAL_IS_TOKEN0, moveBps, dexState
        );
    }

    /// @dev One slot0 read for the move, the spot and the liquidity scan (`dexState`).
    function _guardReading() internal view override returns (uint256 movedBps, uint256 spot, uint256 dexState) {
        Route storage route = _route();
        IUniswapV3Pool pool = route.pool;
        (uint160 sqrtPriceX96, int24 tick, uint16 index, uint16 cardinality) = _slot0(pool);
        movedBps = _poolMoveInBlockBps(route, pool, tick, index, cardinality);
        spot = _spotFrom(sqrtPriceX96);
        dexState = uint256(sqrtPriceX96) | (uint256(uint24(tick)) << 160);
    }

    /// @dev The pool writes one observation per block, at its first tick-changing swap (or in-range mint), with
    ///      the tick before it: the newest observation's average tick since the previous one is the tick the
    ///      block opened at. No observation in this block means no tick has moved in it yet. 1 tick ~ 1 bp.
    ///      A keeper action earlier in this block is the vault's own move, not a sandwich's: the move is then
    ///      counted from where that action left the pool (whatever moved it before was checked by that action).
    function _poolMoveInBlockBps(Route storage route, IUniswapV3Pool pool, int24 tick, uint16 index, uint16 cardinality)
        private
        view
        returns (uint256)
    {
        (uint32 lastTime, int56 lastCumulative,) = _observation(pool, index);
        if (lastTime != uint32(block.timestamp)) return 0;
        if (route.keeperTradeBlock == uint32(block.number)) {
            int256 since = int256(tick) - int256(route.tickAfterKeeperTrade);
            return uint256(since < 0 ? -since : since);
        }
        if (cardinality < 2) return type(uint256).max;
        (uint32 prevTime, int56 prevCumulative, bool initialized) = _observation(pool, (index + cardinality - 1) % cardinality);
        if (!initialized || prevTime >= lastTime) return type(uint256).max;
        int256 openTick = int256(lastCumulative - prevCumulative) / int256(uint256(lastTime - prevTime));
        int256 moved = int256(tick) - openTick;
        return uint256(moved < 0 ? -moved : moved);
    }

    function _noteKeeperTrade() internal override {
        Route storage route = _route();
        (, int24 tick,,) = _slot0(route.pool);
        route.keeperTradeBlock = uint32(block.number);
        route.tickAfterKeeperTrade = tick;
    }

    /// @dev The pool's arithmetic mean tick over `window` (its observations, `observe`), rounded toward negative
    ///      infinity as Uniswap's OracleLibrary does, as a price: 1.0001^tick token1 per token0 in raw units. The pool
    ///      must hold observations reaching `window` back (cardinality), else OutageTwapUnavailable.
    function _twapPrice(uint32 window) internal view override returns (uint256) {
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = window;
        int56[] memory cumulatives;
        try _route().pool.observe(secondsAgos) returns (int56[] memory tickCumulatives, uint160[] memory) {
            cumulatives = tickCumulatives;
        } catch {
            revert IVaultEmergency.OutageTwapUnavailable(window);
        }
        int56 delta = cumulatives[1] - cumulatives[0];
        int256 tick = int256(delta / int56(uint56(window)));
        if (delta < 0 && delta % int56(uint56(window)) != 0) tick--;
        // 1.0001^|tick| in wad by squaring (|tick| < 2^20; mulDiv keeps the squares exact enough, ~1e-16 relative).
        uint256 ratio = 1e18;
        uint256 base = 1.0001e18;
        for (uint256 n = uint256(tick < 0 ? -tick : tick); n != 0; n >>= 1) {
            if (n & 1 != 0) ratio = Math.mulDiv(ratio, base, 1e18);
            base = Math.mulDiv(base, base, 1e18);
        }
        // ratio is token1 per token0 (raw) when tick >= 0, its inverse otherwise.
        bool token1PerToken0 = tick >= 0;
        return COLLATERAL_IS_TOKEN0 == token1PerToken0
            ? Math.mulDiv(ratio, PRICE_SCALE, 1e18)
            : Math.mulDiv(1e18, PRICE_SCALE, ratio);
    }

    function _spotPrice() internal view override returns (uint256) {
        (uint160 sqrtPriceX96,,,) = _slot0(_route().pool);
        return _spotFrom(sqrtPriceX96);
    }

    /// @dev `pool.slot0()`'s first four fields, read as the high-level call reads them (a revert bubbled; the ABI
    ///      decoder's checks on all seven fields) in fewer instructions (see StaticReads).
    function _slot0(IUniswapV3Pool pool)
        private
        view
        returns (uint160 sqrtPriceX96, int24 tick, uint16 index, uint16 cardinality)
    {
        assembly ("memory-safe") {
            // Above the free memory pointer, not allocated: used only until this block ends.
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x3850c7bd))
            if iszero(staticcall(gas(), pool, ptr, 0x04, ptr, 0xe0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            sqrtPriceX96 := mload(ptr)
            tick := mload(add(ptr, 0x20))
            index := mload(add(ptr, 0x40))
            cardinality := mload(add(ptr, 0x60))
            // uint160, int24, uint16 x3, uint8, bool.
            if or(
                or(lt(returndatasize(), 0xe0), shr(160, sqrtPriceX96)),
                or(
                    or(iszero(eq(signextend(2, tick), tick)), or(shr(16, index), shr(16, cardinality))),
                    or(or(shr(16, mload(add(ptr, 0x80))), shr(8, mload(add(ptr, 0xa0)))), gt(mload(add(ptr, 0xc0)), 1))
                )
            ) { revert(0, 0) }
        }
    }

    /// @dev `pool.observations(index)` but its seconds-per-liquidity, read as `_slot0` reads.
    function _observation(IUniswapV3Pool pool, uint256 index)
        private
        view
        returns (uint32 time, int56 tickCumulative, bool initialized)
    {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0x252c09d7))
            mstore(add(ptr, 0x04), index)
            if iszero(staticcall(gas(), pool, ptr, 0x24, ptr, 0x80)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            time := mload(ptr)
            tickCumulative := mload(add(ptr, 0x20))
            initialized := mload(add(ptr, 0x60))
            // uint32, int56, uint160, bool.
            if or(
                or(lt(returndatasize(), 0x80), shr(32, time)),
                or(
                    iszero(eq(signextend(6, tickCumulative), tickCumulative)),
                    or(shr(160, mload(add(ptr, 0x40))), gt(initialized, 1))
                )
            ) { revert(0, 0) }
        }
    }

    function _spotFrom(uint160 sqrtPriceX96) private view returns (uint256) {
        // token1 per token0 in raw units, Q96.
        uint256 priceX96 = Math.mulDiv(sqrtPriceX96, sqrtPriceX96, Q96);
        return COLLATERAL_IS_TOKEN0 ? Math.mulDiv(priceX96, PRICE_SCALE, Q96) : Math.mulDiv(Q96, PRICE_SCALE, priceX96);
    }
}
