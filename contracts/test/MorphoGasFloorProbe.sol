// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IMorpho, MarketParams} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {MarketParamsLib} from "@morpho-org/morpho-blue/src/libraries/MarketParamsLib.sol";
import {MorphoBalancesLib} from "@morpho-org/morpho-blue/src/libraries/periphery/MorphoBalancesLib.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

/// @title MorphoGasFloorProbe
/// @notice Benchmark double, never shipped: GasFloorProbe's Morpho Blue twin. Holds a position on one Morpho market
///         like a Morpho vault and performs only the bare calls each vault operation cannot avoid (Morpho's free
///         flash loan, the Uniswap swap, supplyCollateral / borrow / repay / withdrawCollateral, the user's
///         transfer), with no checks, accounting or oracle reads. Its gas is the floor the Morpho vault is compared to.
contract MorphoGasFloorProbe {
    using MarketParamsLib for MarketParams;
    using MorphoBalancesLib for IMorpho;

    enum Op {
        Lever,
        Exit,
        Delever
    }

    IMorpho public immutable MORPHO;
    ISwapRouter public immutable ROUTER;
    address public immutable COLLATERAL;
    address public immutable DEBT;
    address public immutable ORACLE;
    address public immutable IRM;
    uint256 public immutable LLTV;
    uint24 public immutable FEE;

    constructor(IMorpho morpho, ISwapRouter router, MarketParams memory market, uint24 fee) {
        (MORPHO, ROUTER, FEE) = (morpho, router, fee);
        (COLLATERAL, DEBT, ORACLE, IRM, LLTV) = (market.collateralToken, market.loanToken, market.oracle, market.irm, market.lltv);
        IERC20(COLLATERAL).approve(address(morpho), type(uint256).max);
        IERC20(DEBT).approve(address(morpho), type(uint256).max);
        IERC20(COLLATERAL).approve(address(router), type(uint256).max);
        IERC20(DEBT).approve(address(router), type(uint256).max);
    }

    function _market() private view returns (MarketParams memory) {
        return MarketParams(DEBT, COLLATERAL, ORACLE, IRM, LLTV);
    }

    /// @notice The probe's debt with interest to this block (raw debt units), as the vault reads its own.
    function debt() external view returns (uint256) {
        return MORPHO.expectedBorrowAssets(_market(), address(this));
    }

    /// @notice The probe's collateral on the market (raw collateral units).
    function collateral() external view returns (uint256) {
        return MORPHO.position(_market().id(), address(this)).collateral;
    }

    /// @notice Deposit floor: pull `deposit`, flash `borrow` debt, swap it, supply everything as collateral, borrow
    ///         `borrow` (Morpho pulls the loan back after the callback).
    function lever(uint256 deposit, uint256 borrow) public {
        IERC20(COLLATERAL).transferFrom(msg.sender, address(this), deposit);
        MORPHO.flashLoan(DEBT, borrow, abi.encode(Op.Lever, deposit));
    }

    /// @notice Withdrawal / unwind floor: flash `debtAmount`, repay (every borrow share when `collateralAmount` is
    ///         max, so the loan must exceed the debt a little), withdraw `collateralAmount` (max = all), swap exact out
    ///         to return the loan, send the rest to `to` (nobody when zero).
    function exit(uint256 debtAmount, uint256 collateralAmount, address to) public {
        MORPHO.flashLoan(DEBT, debtAmount, abi.encode(Op.Exit, collateralAmount));
        if (to != address(0)) IERC20(COLLATERAL).transfer(to, IERC20(COLLATERAL).balanceOf(address(this)));
    }

    /// @notice Keeper deleverage floor: flash collateral, swap exact in, repay, withdraw collateral to return the
    ///         loan; then pay `reward` collateral to `to` (ripcord) when non-zero.
    function delever(uint256 collateralAmount, uint256 reward, address to) public {
        MORPHO.flashLoan(COLLATERAL, collateralAmount, abi.encode(Op.Delever, 0));
        if (reward != 0) MORPHO.withdrawCollateral(_market(), reward, address(this), to);
    }

    function onMorphoFlashLoan(uint256 assets, bytes calldata data) external {
        (Op op, uint256 amount) = abi.decode(data, (Op, uint256));
        MarketParams memory market = _market();
        if (op == Op.Lever) {
            uint256 out = _swapIn(DEBT, COLLATERAL, assets);
            MORPHO.supplyCollateral(market, out + amount, address(this), "");
            MORPHO.borrow(market, assets, 0, address(this), address(this));
        } else if (op == Op.Exit) {
            if (amount == type(uint256).max) {
                // A full exit repays by shares (no dust), as the vault does.
                MORPHO.repay(market, 0, MORPHO.position(market.id(), address(this)).borrowShares, address(this), "");
                amount = MORPHO.position(market.id(), address(this)).collateral;
            } else {
                MORPHO.repay(market, assets, 0, address(this), "");
            }
            MORPHO.withdrawCollateral(market, amount, address(this), address(this));
            ROUTER.exactOutputSingle(
                ISwapRouter.ExactOutputSingleParams(
                    COLLATERAL, DEBT, FEE, address(this), block.timestamp, assets, type(uint256).max, 0
                )
            );
        } else {
            uint256 out = _swapIn(COLLATERAL, DEBT, assets);
            MORPHO.repay(market, out, 0, address(this), "");
            MORPHO.withdrawCollateral(market, assets, address(this), address(this));
        }
    }

    function _swapIn(address tokenIn, address tokenOut, uint256 amountIn) private returns (uint256) {
        return ROUTER.exactInputSingle(
            ISwapRouter.ExactInputSingleParams(tokenIn, tokenOut, FEE, address(this), block.timestamp, amountIn, 0, 0)
        );
    }
}
