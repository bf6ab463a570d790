const { handler } = require('./index.js');
const event = JSON.parse(require('fs').readFileSync(0, 'utf8'));
Promise.resolve(handler(event)).then(r => console.log(JSON.stringify(r)));
