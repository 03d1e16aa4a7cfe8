"""One sentence per figure for the report: what to look at, not what the file is called.

Keyed by the figure's file name without ``.png`` (``"name/stem"`` when one experiment's
figure needs its own words); the report falls back to the experiment's summary for a figure
that has none here.  Add a line when an experiment gains a figure.
"""

CAPTIONS: dict[str, str] = {
    "adam-assignment": "Adam's path runs down the steep x2 direction first, then along the "
                       "shallow x1 valley to the minimum at (2, -3).",
    "autoencoder_latent": "Each digit class gathers in its own region of the 2-D code, "
                          "although the autoencoder never saw a label.",
    "autoencoder_decoded": "Decoding a grid of codes sweeps smoothly from one digit shape to "
                           "the next; reconstructions keep the digit but lose fine strokes.",
    "autoencoder_losses": "Training and test reconstruction errors fall together: the "
                          "autoencoder is not memorising the training digits.",
    "bilstm_tagging": "Only the bidirectional LSTM, which also reads the sequence backwards, "
                      "can tell whether a token comes again later; one direction stays at "
                      "its guessing bound.",
    "char_gru_bpc": "Bits per character fall below the letter-frequency (unigram) baseline "
                    "as the GRU learns which characters follow which.",
    "char_rnn_bpc": "Bits per character fall below the letter-frequency (unigram) baseline "
                    "as the plain tanh RNN learns which characters follow which.",
    "char_lstm_bpc": "Bits per character fall below the letter-frequency (unigram) baseline "
                     "as the LSTM learns which characters follow which.",
    "cnn_digits_curves": "Training and test accuracy of the small ConvNet rise together per "
                         "epoch on the 8×8 digits.",
    "cnn_mnist_curves": "Loss and accuracy of the ConvNet on MNIST per epoch, training "
                        "against test.",
    "cnn_mnist_misclassified": "The digits the ConvNet gets wrong are mostly ones a person "
                               "would hesitate over too.",
    "conv_arithmetic": "The im2col matrix of the 227×227×3 example (one column per receptive "
                       "field), one filter's 55×55 output, and the gradient with respect to "
                       "the input: a full convolution of δ with the filter (eq. 9.7).",
    "recurrent_equations": "The derivatives that bound vanishing gradients (tanh' at most 1, "
                           "σ' at most 1/4) and the gap between BPTT written out by hand and "
                           "autograd, per parameter.",
    "gaussian_formulas": "A histogram of samples, the δ-function estimate binned, under the "
                         "Gaussian they came from; the contours of a correlated 2-D Gaussian.",
    "backprop_equations": "Each text's backpropagation equations, written out by hand, differ "
                          "from autograd only by rounding (bars near 1e-16), layer by layer.",
    "bitwise_output_layer": "Each digit's column lights exactly its binary bits (least "
                            "significant on top).",
    "steepest_step": "No random step of the same length lowers the linearised cost as much "
                     "as the step against the gradient (the vertical line).",
    "cross_entropy_gradients": "Cross-entropy against the output a for three targets: each "
                               "curve bottoms out where a equals its target.",
    "gradients_and_hessians": "The least-squares loss over two parameters: elliptic "
                              "contours around a single minimum, the bowl of Figure 3.2.",
    "adaptive_steps": "Plain gradient descent zigzags across the steep x2 direction; "
                      "momentum damps it, and the adaptive methods walk down without "
                      "reversing.",
    "sgd_batch_minibatch": "Per epoch, updating after every example lowers the loss fastest "
                           "and after all of them slowest; the noise of the update direction "
                           "orders the other way.",
    "conv_vs_correlation": "Convolution flips the filter: with a symmetric filter it equals "
                           "correlation, with an antisymmetric one it flips the sign.",
    "entropy_bernoulli": "Entropy peaks at 1 bit for a fair coin (θ = 0.5); the KL "
                         "divergence touches zero only where q equals p.",
    "gaussian_mle": "The fitted Gaussian sits on the sample's histogram, and the likelihood "
                    "curve peaks at the sample mean.",
    "gd-parabola": "With a small step (η = 0.001) gradient descent creeps from x = 3 down to "
                   "the minimum x = 1, slowing as the slope flattens.",
    "gd-two-rates": "One step size per variable walks straight to (2, -3); a single shared "
                    "rate oscillates across the steep direction, and a slightly larger one "
                    "diverges.",
    "gru_mnist1d": "Accuracy of the GRU on MNIST-1D per epoch, against the published result.",
    "house-prices": "Ridge's cross-validated penalty (left) and the test error of least "
                    "squares, ridge and the MLP side by side (right).",
    "l2_shrinkage": "L2 regularisation shrinks each eigen-direction of the optimum by "
                    "λ/(λ+α): flat directions (small λ) shrink most.",
    "lasso-path": "As the penalty grows, lasso weights hit exactly zero one after another "
                  "while ridge weights only shrink towards zero.",
    "linear_collapse": "Stacked linear layers draw one straight boundary and cannot separate "
                       "XOR; the tanh network bends it and can.",
    "linreg-energy": "The least-squares plane through the wind/people/energy table, with the "
                     "prediction for a new day.",
    "linreg-mle": "Samples from the trained model scatter inside the predicted ±2σ band, "
                  "with σ² the maximum-likelihood noise variance.",
    "linreg-table": "Gradient descent's mean squared error falls to the analytical "
                    "solution's value (the dashed line).",
    "decision_boundary_and": "One straight line separates the single positive corner (1, 1) "
                             "of the AND gate from the other three.",
    "logreg-newton": "Newton's method (IRLS) reaches the optimum in a handful of iterations; "
                     "gradient descent needs hundreds to get as close.",
    "digits_mlp": "Loss and accuracy per epoch and the test confusion matrix of the MLP on "
                  "the 8×8 digits: errors concentrate on a few look-alike pairs.",
    "xor_decision_boundary": "The hidden layer lets the network carve two regions, so "
                             "(0, 1) and (1, 0) fall on one side and (0, 0), (1, 1) on the "
                             "other.",
    "mnist_logistic_regression": "Validation error of logistic regression on MNIST as "
                                 "training goes on; the lecture reports about 8 %.",
    "mnist_two_layer": "Validation error of the 200-unit ReLU network on MNIST; the lecture "
                       "reports about 2 %, well below logistic regression.",
    "mnist1d_table": "Test accuracy of each model on MNIST-1D per epoch, each with its "
                     "published accuracy dotted in the same colour.",
    "multilabel_predictions": "Each output is its own yes/no sigmoid, so a point can carry "
                              "several labels at once.",
    "multilabel-yeast": "Per-label accuracy of independent sigmoids on Yeast, next to "
                        "scikit-learn's one-classifier-per-label.",
    "newton-least-squares": "One Newton step lands on the least-squares solution; gradient "
                            "descent approaches it over thousands of steps.",
    "optimizer-race-paths": "The paths of the minimisers on Rosenbrock's banana valley and "
                            "on the elongated bowl: who cuts the corner, who zigzags.",
    "optimizer-race-loss": "The error of each minimiser per iteration on a log scale: "
                           "second-order methods drop fastest.",
    "poly-basis": "Degree 1 underfits, degree 2 follows the data, degree 15 wiggles through "
                  "the training points and misses the test points.",
    "rbf-kernel": "Too narrow RBF widths chase the noise, too wide ones smooth the curve "
                  "away; the middle width follows the function.",
    "l2_penalty": "With the L2 penalty the over-parameterised network draws a smooth curve "
                  "through the 20 noisy points instead of threading every one.",
    "regularisation": "Validation accuracy per epoch of each regulariser on 200 digits, "
                      "against no regularisation.",
    "ridge-cv": "The 5-fold cross-validation error is U-shaped in log δ²: its minimum is the "
                "penalty to use.",
    "rnn_sine": "The RNN's next-value predictions lie on the sine wave (left) once its "
                "training loss has fallen (right).",
    "softmax_classifier": "Softmax regression splits the plane into three regions with "
                          "straight borders, one per blob.",
    "softmax-digits": "The confusion matrix of softmax regression on the digits, and its "
                      "weights drawn as 8×8 images: each looks like a blurred digit.",
    "ssvae_latent": "With class-centroid priors, each digit class sits around its own "
                    "centre in the latent space.",
    "ssvae_decoded": "Decoding a grid of latent points, and test digits above their "
                     "reconstructions.",
    "ssvae_class_samples": "Samples drawn near each class centroid look like that class: the "
                           "latent space has learned the labels.",
    "ssvae_losses": "Reconstruction and KL terms of the semi-supervised VAE per epoch.",
    "universal_approximation": "More hand-built bumps follow the target more closely; a "
                               "trained network gets there too, and two dimensions need a "
                               "tower.",
    "vae_latent": "The VAE's 2-D codes of test digits: classes form overlapping clouds "
                  "around the origin, as the N(0, I) prior asks.",
    "vae_decoded": "Decoding a grid over the latent space morphs smoothly between digits; "
                   "below, test digits above their reconstructions.",
    "vae_losses": "The reconstruction error falls while the KL term grows: the VAE trades "
                  "closeness to the prior for better reconstructions.",
    "vanishing_gradients": "Gradient norms through time shrink or grow geometrically with "
                           "the lag for tanh RNNs and stay flat for an LSTM with its forget "
                           "gate open; the recall task shows the consequence.",
    "zigzag": "Steepest descent zigzags across the elongated bowl but runs straight to the "
              "centre of the circular one.",
    # the worked examples of the texts
    "dnn_4333": "Figure 7.2's 4-3-3-3 network: the hand-derived gradients (eqs. 7.10-7.22) "
                "agree with autograd, and training by eq. 7.21 lowers the loss on Iris.",
    "mle_as_kl": "The empirical KL divergence from the data to the model is smallest at the "
                 "maximum-likelihood θ and approaches the true KL, minimised at θ0, as N grows.",
    "ridge_as_map": "The MAP estimate under a Gaussian prior is the ridge solution with "
                    "δ² = σ²/τ², and that δ² gives the smallest error on average.",
    "poly_basis_2d": "On a quadratic surface the quadratic basis [1, x1, x2, x1², x2²] follows "
                     "the curvature that the linear basis [1, x1, x2] cannot.",
    "gradient_field": "The gradient arrows computed by autograd lie on the closed-form field "
                      "of f(x, y) = -((cos x)² + (cos y)²)².",
    "sgd_least_squares": "Online (n = 1) and mini-batch (n = 20) SGD both walk to the normal "
                         "equations' solution, the mini-batch path with less noise.",
    "xor_relu_by_hand": "The hand-set ReLU hidden layer maps (0, 1) and (1, 0) to the same "
                        "point, after which one straight line separates XOR.",
    "bishop_curve_fits": "Three tanh units fit x², sin x, |x| and the step H(x) from 50 points; "
                         "the thin curves are the hidden units the fit is built from.",
    "bishop_two_unit_classifier": "The network's decision boundary with two tanh units lies "
                                  "close to the Bayes-optimal boundary of the two classes.",
    "mnist_parameter_counts": "Where the parameters are: 7,850 for logistic regression, "
                              "159,010 for the 784-200-10 network, most in its first layer.",
    "cross_entropy_slowdown": "A saturated neuron's gradient under the quadratic cost carries "
                              "a factor σ'(z) ≈ 0 and learning stalls; cross-entropy has none.",
    "sigmoid_to_perceptron": "As the weights and biases are scaled by c, the sigmoid network's "
                             "output sharpens into the perceptron's steps, except where "
                             "w·x + b = 0, where it stays at ½.",
    "softmax_to_argmax": "softmax(c z) sharpens into the one-hot vector of the largest entry as c "
                         "grows; tied entries share the mass.",
    "step_and_bump": "A sigmoid with a large weight is a step at s = -b/w; two steps of opposite "
                     "sign make a bump of height h.",
    "towers_m_variables": "With the output bias -(2m - 1)h/2 the network is a tower: about 1 on "
                          "the box and 0 off it in every dimension m; the 2-D bias fails at m = 3.",
    "xor_backprop_by_hand": "One update by the hand-worked equations matches autograd, and batch "
                            "gradient descent reaches the weights the notes print.",
    "early_stopping_criteria": "The validation error bottoms out early and creeps up while "
                               "the net fits the noise; both of 003's stopping rules stop "
                               "before the end, the error change rule near the bottom.",
    "mnist_batch_of_20": "A batch of 20 training digits as the DataLoader draws them, with "
                         "their labels: 28 × 28 grey levels, as Figure 6.5 shows them.",
    "softmax_three_classes": "Each class's weights drawn as an 8 × 8 image (red where ink "
                             "votes for the class), and the test confusion between 3, 5 "
                             "and 8.",
    "spam_assignment": "Training loss of the logistic unit and the one-hidden-layer network; "
                       "the title says which data ran (Spambase or the stand-in).",
    "word_lm_perplexity": "Per-word perplexity falls below the unigram count model within "
                          "the first steps; given enough steps (the full run) it goes below "
                          "the bigram count model too, while the training curve runs on "
                          "below the held-out one.",
}


def caption(experiment: str, stem: str, fallback: str) -> str:
    """The caption of figure ``stem`` of ``experiment`` (``fallback`` when none is written)."""
    return CAPTIONS.get(f"{experiment}/{stem}") or CAPTIONS.get(stem) or fallback
