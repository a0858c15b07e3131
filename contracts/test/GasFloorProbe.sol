// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

/// @title GasFloorProbe
/// @notice Benchmark double, never shipped: holds a position like a vault and performs only the bare protocol
///         calls each vault operation cannot avoid (flash loan, swap, supply / repay / withdraw, the user's
///         transfer), with no checks, accounting or oracle reads. Its gas is the floor the vault is compared to.
contract GasFloorProbe {
    enum Op {
        Lever,
        Exit,
        Delever
    }

    IPool public immutable POOL;
    ISwapRouter public immutable ROUTER;
    address public immutable COLLATERAL;
    address public immutable DEBT;
    uint24 public immutable FEE;

    constructor(IPool pool, ISwapRouter router, address collateral, address debt, uint24 fee) {
        (POOL, ROUTER, COLLATERAL, DEBT, FEE) = (pool, router, collateral, debt, fee);
        IERC20(collateral).approve(address(pool), type(uint256).max);
        IERC20(debt).approve(address(pool), type(uint256).max);
        IERC20(collateral).approve(address(router), type(uint256).max);
        IERC20(debt).approve(address(router), type(uint256).max);
    }

    /// @notice Borrows in Aave efficiency-mode `category`, as a vault built for it does at construction.
    function enterEMode(uint8 category) external {
        POOL.setUserEMode(category);
    }

    /// @notice Deposit floor: pull `deposit`, flash-borrow `borrow` as debt, swap it, supply everything.
    function lever(uint256 deposit, uint256 borrow) public {
        IERC20(COLLATERAL).transferFrom(msg.sender, address(this), deposit);
        address[] memory assets = new address[](1);
        uint256[] memory amounts = new uint256[](1);
        uint256[] memory modes = new uint256[](1);
        (assets[0], amounts[0], modes[0]) = (DEBT, borrow, 2);
        POOL.flashLoan(address(this), assets, amounts, modes, address(this), abi.encode(Op.Lever, deposit), 0);
    }

    /// @notice Withdrawal / unwind floor: flash `debtAmount`, repay (all when `collateralAmount` is max, so the
    ///         loan must exceed the debt a little), withdraw `collateralAmount` (max = all),
    ///         swap exact out to return the loan, send the rest to `to` (nobody when zero).
    function exit(uint256 debtAmount, uint256 collateralAmount, address to) public {
        POOL.flashLoanSimple(address(this), DEBT, debtAmount, abi.encode(Op.Exit, collateralAmount), 0);
        if (to != address(0)) IERC20(COLLATERAL).transfer(to, IERC20(COLLATERAL).balanceOf(address(this)));
    }

    /// @notice Keeper deleverage floor: flash collateral, swap exact in, repay, withdraw to return the loan;
    ///         then pay `reward` collateral to `to` (ripcord) when non-zero.
    function delever(uint256 collateralAmount, uint256 reward, address to) public {
        POOL.flashLoanSimple(address(this), COLLATERAL, collateralAmount, abi.encode(Op.Delever, 0), 0);
        if (reward != 0) POOL.withdraw(COLLATERAL, reward, to);
    }

    function executeOperation(address[] calldata, uint256[] calldata amounts, uint256[] calldata, address, bytes calldata params)
        external
        returns (bool)
    {
        (, uint256 deposit) = abi.decode(params, (Op, uint256));
        uint256 out = _swapIn(DEBT, COLLATERAL, amounts[0]);
        POOL.supply(COLLATERAL, out + deposit, address(this), 0);
        return true;
    }

    function executeOperation(address, uint256 amount, uint256 premium, address, bytes calldata params)
        external
        returns (bool)
    {
        (Op op, uint256 collateralAmount) = abi.decode(params, (Op, uint256));
        if (op == Op.Exit) {
            // A full exit repays everything (max): the debt accrued since the caller read it.
            POOL.repay(DEBT, collateralAmount == type(uint256).max ? type(uint256).max : amount, 2, address(this));
            POOL.withdraw(COLLATERAL, collateralAmount, address(this));
            ROUTER.exactOutputSingle(
                ISwapRouter.ExactOutputSingleParams(
                    COLLATERAL, DEBT, FEE, address(this), block.timestamp, amount + premium, type(uint256).max, 0
                )
            );
        } else {
            uint256 out = _swapIn(COLLATERAL, DEBT, amount);
            POOL.repay(DEBT, out, 2, address(this));
            POOL.withdraw(COLLATERAL, amount + premium, address(this));
        }
        return true;
    }

    function _swapIn(address tokenIn, address tokenOut, uint256 amountIn) private returns (uint256) {
        return ROUTER.exactInputSingle(
            ISwapRouter.ExactInputSingleParams(tokenIn, tokenOut, FEE, address(this), block.timestamp, amountIn, 0, 0)
        );
    }
}
