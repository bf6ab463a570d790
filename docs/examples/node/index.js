// A stand-in for your Lambda handler: reads the number Connect sends and answers the
// project flow's contract (a flat map of strings).
exports.handler = async (event) => {
  const attrs = event.Details.ContactData.Attributes || {};
  const number = attrs.TargetNumber || event.Details.ContactData.CustomerEndpoint.Address;
  console.error(`looking up ${number}`);
  return {
    ssmlResponse: `<speak>Your number is <say-as interpret-as="telephone">${number}</say-as>.</speak>`,
    ssmlError: 'false',
  };
};
