// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

/// @title PeerPosition (backtest only, never shipped)
/// @notice A leveraged WETH/USDC position on the real Aave V3 pool, driven by an off-chain executor (the backtester's
///         peer strategies: Index Coop FLI methodology, DeFi Saver-style automation). It is the executor's hands, not
///         its brain: every amount and every minimum is computed by the executor and passed in, as a Set Protocol
///         leverage module is driven by its strategy extension and a DeFi Saver recipe by its bot. Each entry point is
///         one transaction, like the peer's own: `lever` = AaveLeverageModule.lever (borrow -> swap -> supply),
///         `delever` = AaveLeverageModule.delever (withdraw -> swap -> repay), `deleverFlash` = a DeFi Saver flash-loan
///         repay recipe (flash loan USDC -> repay -> withdraw -> swap -> return the loan).
/// @dev Units: WETH and aWETH 18 decimals, USDC 6 decimals, fees in bps of the swapped amount.
contract PeerPosition {
    using SafeERC20 for IERC20;

    IPool public immutable POOL;
    ISwapRouter public immutable ROUTER;
    IERC20 public immutable WETH;
    IERC20 public immutable USDC;
    /// @notice Uniswap V3 fee tier the position trades in (hundredths of a bip).
    uint24 public immutable SWAP_FEE;
    address public immutable OWNER;
    /// @notice Receives the service fees (DeFi Saver's), in the token they are taken in.
    address public immutable FEE_RECIPIENT;

    error PeerNotOwner(address caller);
    error PeerNotPool(address caller, address initiator);

    event Levered(uint256 usdcBorrowed, uint256 wethSupplied, uint256 fee);
    event Delevered(uint256 wethSold, uint256 usdcRepaid, uint256 fee);

    modifier onlyOwner() {
        if (msg.sender != OWNER) revert PeerNotOwner(msg.sender);
        _;
    }

    constructor(IPool pool, ISwapRouter router, IERC20 weth, IERC20 usdc, uint24 swapFee, address owner, address feeRecipient) {
        POOL = pool;
        ROUTER = router;
        WETH = weth;
        USDC = usdc;
        SWAP_FEE = swapFee;
        OWNER = owner;
        FEE_RECIPIENT = feeRecipient;
        weth.forceApprove(address(pool), type(uint256).max);
        usdc.forceApprove(address(pool), type(uint256).max);
        weth.forceApprove(address(router), type(uint256).max);
        usdc.forceApprove(address(router), type(uint256).max);
    }

    /// @notice Pulls `amount` WETH from the owner and supplies it to Aave.
    function deposit(uint256 amount) external onlyOwner {
        WETH.safeTransferFrom(msg.sender, address(this), amount);
        POOL.supply(address(WETH), amount, address(this), 0);
    }

    /// @notice Borrow `usdcAmount`, buy WETH (at least `minWethOut` before the fee), take `feeBps` of it, supply the rest.
    function lever(uint256 usdcAmount, uint256 minWethOut, uint256 feeBps) external onlyOwner {
        POOL.borrow(address(USDC), usdcAmount, 2, 0, address(this));
        uint256 out = _swapIn(USDC, WETH, usdcAmount, minWethOut);
        uint256 fee = (out * feeBps) / 10_000;
        if (fee > 0) WETH.safeTransfer(FEE_RECIPIENT, fee);
        POOL.supply(address(WETH), out - fee, address(this), 0);
        emit Levered(usdcAmount, out - fee, fee);
    }

    /// @notice Withdraw `wethAmount`, take `feeBps` of it, sell the rest for USDC (at least `minUsdcOut`), repay.
    function delever(uint256 wethAmount, uint256 minUsdcOut, uint256 feeBps) external onlyOwner {
        POOL.withdraw(address(WETH), wethAmount, address(this));
        uint256 fee = (wethAmount * feeBps) / 10_000;
        if (fee > 0) WETH.safeTransfer(FEE_RECIPIENT, fee);
        _swapIn(WETH, USDC, wethAmount - fee, minUsdcOut);
        uint256 repaid = _repayAll();
        emit Delevered(wethAmount - fee, repaid, fee);
    }

    /// @notice Repay `usdcAmount` of debt with a flash loan, then withdraw at most `maxWethIn` WETH and sell what it
    ///         takes to return the loan, its premium and the fee (`feeBps` of `usdcAmount`); the unsold WETH goes back.
    function deleverFlash(uint256 usdcAmount, uint256 maxWethIn, uint256 feeBps) external onlyOwner {
        POOL.flashLoanSimple(address(this), address(USDC), usdcAmount, abi.encode(maxWethIn, feeBps), 0);
    }

    /// @notice Aave flashLoanSimple callback (deleverFlash only).
    function executeOperation(address, uint256 amount, uint256 premium, address initiator, bytes calldata params)
        external
        returns (bool)
    {
        if (msg.sender != address(POOL) || initiator != address(this)) revert PeerNotPool(msg.sender, initiator);
        (uint256 maxWethIn, uint256 feeBps) = abi.decode(params, (uint256, uint256));
        POOL.repay(address(USDC), amount, 2, address(this));
        POOL.withdraw(address(WETH), maxWethIn, address(this));
        uint256 fee = (amount * feeBps) / 10_000;
        uint256 wethIn = ROUTER.exactOutputSingle(
            ISwapRouter.ExactOutputSingleParams({
                tokenIn: address(WETH),
                tokenOut: address(USDC),
                fee: SWAP_FEE,
                recipient: address(this),
                deadline: block.timestamp,
                amountOut: amount + premium + fee,
                amountInMaximum: maxWethIn,
                sqrtPriceLimitX96: 0
            })
        );
        if (fee > 0) USDC.safeTransfer(FEE_RECIPIENT, fee);
        uint256 left = WETH.balanceOf(address(this));
        if (left > 0) POOL.supply(address(WETH), left, address(this), 0);
        emit Delevered(wethIn, amount, fee);
        return true; // the pool pulls amount + premium (approved in the constructor)
    }

    function _swapIn(IERC20 tokenIn, IERC20 tokenOut, uint256 amountIn, uint256 minOut) internal returns (uint256) {
        return ROUTER.exactInputSingle(
            ISwapRouter.ExactInputSingleParams({
                tokenIn: address(tokenIn),
                tokenOut: address(tokenOut),
                fee: SWAP_FEE,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: amountIn,
                amountOutMinimum: minOut,
                sqrtPriceLimitX96: 0
            })
        );
    }

    /// @dev Repays with every USDC held; Aave caps the payback at the debt, any surplus stays idle (counted in equity).
    function _repayAll() internal returns (uint256) {
        uint256 balance = USDC.balanceOf(address(this));
        return balance == 0 ? 0 : POOL.repay(address(USDC), balance, 2, address(this));
    }
}
